import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { PageInput } from '../../graphql/connection';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { Role } from '../auth/api-token.entity';
import {
  CreateWebhookSubscriptionInput,
  CreateWebhookSubscriptionPayload,
  DeleteWebhookSubscriptionInput,
  toWebhookDeliveryType,
  toWebhookSubscriptionType,
  WebhookDeliveryConnection,
  WebhookSubscriptionConnection,
  WebhookSubscriptionPayload,
  WebhookSubscriptionType,
} from './webhook.types';

/**
 * Integrations subscribe their own token; ADMIN may too, and sees and deactivates every
 * subscription. Ownership (and, at fan-out, the token's county scope) is applied by the services.
 */
const SUBSCRIBERS = [Role.ADMIN, Role.INTEGRATION];

@Resolver(() => WebhookSubscriptionType)
export class WebhookResolver {
  @Authorized(SUBSCRIBERS)
  @Query(() => WebhookSubscriptionConnection, {
    description: "Webhook subscriptions, oldest first: the calling token's own (INTEGRATION) or all (ADMIN).",
  })
  async webhookSubscriptions(
    @Ctx() ctx: GqlContext,
    @Arg('page', () => PageInput, { description: 'Page size and cursor.', nullable: true }) page?: PageInput,
  ) {
    const conn = await ctx.services.webhooks.list(ctx.em, actorOf(ctx), page);
    return {
      ...conn,
      edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toWebhookSubscriptionType(e.node) })),
    };
  }

  @Authorized(SUBSCRIBERS)
  @Query(() => WebhookDeliveryConnection, {
    description:
      "A subscription's deliveries, newest first, each with its attempts (time, HTTP status or error, duration) (ADMIN, INTEGRATION: own).",
  })
  async webhookDeliveries(
    @Ctx() ctx: GqlContext,
    @Arg('subscriptionId', () => ID, { description: 'Subscription id.' }) subscriptionId: string,
    @Arg('page', () => PageInput, { description: 'Page size and cursor.', nullable: true }) page?: PageInput,
  ) {
    const conn = await ctx.services.webhooks.deliveries(
      ctx.em,
      actorOf(ctx),
      parseId(subscriptionId, 'subscriptionId'),
      page,
    );
    return {
      ...conn,
      edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toWebhookDeliveryType(e.node) })),
    };
  }

  @Authorized(SUBSCRIBERS)
  @Mutation(() => CreateWebhookSubscriptionPayload, {
    description:
      'Subscribes the calling token to event types at a URL (ADMIN, INTEGRATION). Returns the signing secret once; ' +
      'a scoped token receives only events of its counties.',
  })
  async createWebhookSubscription(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: CreateWebhookSubscriptionInput,
  ): Promise<CreateWebhookSubscriptionPayload> {
    const { subscription, secret } = await ctx.services.webhooks.create(ctx.em, actorOf(ctx), input);
    return { subscription: toWebhookSubscriptionType(subscription), secret };
  }

  @Authorized(SUBSCRIBERS)
  @Mutation(() => WebhookSubscriptionPayload, {
    description:
      'Deactivates a subscription (ADMIN: any, INTEGRATION: own): nothing more is sent; it and its delivery log stay readable.',
  })
  async deleteWebhookSubscription(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: DeleteWebhookSubscriptionInput,
  ): Promise<WebhookSubscriptionPayload> {
    const subscription = await ctx.services.webhooks.deactivate(
      ctx.em,
      actorOf(ctx),
      parseId(input.id, 'id'),
    );
    return { subscription: toWebhookSubscriptionType(subscription) };
  }
}
