import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf, type GqlContext } from '../../graphql/context';
import { DateScalar } from '../../graphql/scalars';
import { Role } from '../auth/api-token.entity';
import {
  CalendarDayPayload,
  CalendarDayType,
  RemoveCalendarDayInput,
  RemoveCalendarDayPayload,
  SetCalendarDayInput,
  toCalendarDayType,
} from './calendar.types';

// api-security.md: "counties, programmes, calendars" — ADMIN writes, everyone but INTEGRATION reads.
const READERS = [Role.ADMIN, Role.ACTUARY, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];

@Resolver(() => CalendarDayType)
export class CalendarResolver {
  @Authorized(READERS)
  @Query(() => [CalendarDayType], {
    description:
      'Holidays and make-up working days from `from` to `to` (both included, at most 1830 days), by date.',
  })
  async calendarDays(
    @Ctx() ctx: GqlContext,
    @Arg('from', () => DateScalar, { description: 'First date of the range.' }) from: string,
    @Arg('to', () => DateScalar, { description: 'Last date of the range (not before `from`).' }) to: string,
  ): Promise<CalendarDayType[]> {
    return (await ctx.services.calendar.list(ctx.em, from, to)).map(toCalendarDayType);
  }

  @Authorized(READERS)
  @Query(() => DateScalar, {
    description:
      'The date `n` working days after `date`. Day 0 is `date` itself when it is a working day, else the next working day (a submission on a holiday starts its clock on the first working day after it).',
  })
  async addWorkingDays(
    @Ctx() ctx: GqlContext,
    @Arg('date', () => DateScalar, { description: 'The starting date.' }) date: string,
    @Arg('n', () => Int, { description: 'Working days to add, 0–1000.' }) n: number,
  ): Promise<string> {
    return ctx.services.calendar.addWorkingDays(ctx.em, date, n);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CalendarDayPayload, {
    description: 'Creates or changes the exception of one date (ADMIN, audited).',
  })
  async setCalendarDay(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => SetCalendarDayInput, { description: 'The date, its kind and name.' })
    input: SetCalendarDayInput,
  ): Promise<CalendarDayPayload> {
    const day = await ctx.services.calendar.set(ctx.em, actorOf(ctx), input);
    return { calendarDay: toCalendarDayType(day) };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => RemoveCalendarDayPayload, {
    description: 'Removes the exception of one date (ADMIN, audited); it becomes an ordinary day.',
  })
  async removeCalendarDay(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => RemoveCalendarDayInput, { description: 'The date whose exception is removed.' })
    input: RemoveCalendarDayInput,
  ): Promise<RemoveCalendarDayPayload> {
    return {
      removed: toCalendarDayType(await ctx.services.calendar.remove(ctx.em, actorOf(ctx), input.date)),
    };
  }
}
