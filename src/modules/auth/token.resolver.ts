import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { Role } from './api-token.entity';
import {
  ApiTokenType,
  CreateTokenInput,
  CreateTokenPayload,
  RevokeTokenInput,
  toApiTokenType,
  TokenPayload,
} from './token.types';

@Resolver(() => ApiTokenType)
export class TokenResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [ApiTokenType], { description: 'All tokens (ADMIN); secrets are never shown.' })
  async apiTokens(@Ctx() ctx: GqlContext): Promise<ApiTokenType[]> {
    return (await ctx.services.tokens.list(ctx.em)).map(toApiTokenType);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CreateTokenPayload, {
    description: 'Creates a token (ADMIN); the secret is returned once.',
  })
  async createApiToken(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: CreateTokenInput,
  ): Promise<CreateTokenPayload> {
    const { token, secret } = await ctx.services.tokens.create(ctx.em, actorOf(ctx), input);
    return { token: toApiTokenType(token), secret };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => TokenPayload, { description: 'Revokes a token (ADMIN); it stops working at once.' })
  async revokeApiToken(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: RevokeTokenInput,
  ): Promise<TokenPayload> {
    const token = await ctx.services.tokens.revoke(ctx.em, actorOf(ctx), parseId(input.id, 'id'));
    return { token: toApiTokenType(token) };
  }
}
