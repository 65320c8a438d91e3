import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateScalar } from '../../graphql/scalars';
import type { CalendarDay } from './calendar-day.entity';

/** GraphQL mirror of `CalendarDayKind` (src/shared/working-days.ts). */
export enum CalendarDayKindValue {
  HOLIDAY = 'HOLIDAY',
  WORKDAY = 'WORKDAY',
}

registerEnumType(CalendarDayKindValue, {
  name: 'CalendarDayKind',
  description: 'How a calendar exception changes the Monday–Friday rule.',
  valuesConfig: {
    HOLIDAY: { description: 'A public holiday: not a working day, even on Monday–Friday.' },
    WORKDAY: { description: 'A make-up working day: a weekend day worked because a holiday moved.' },
  },
});

@ObjectType('CalendarDay', {
  description:
    'An exception to Monday–Friday in the working-day calendar: a public holiday or a make-up working day.',
})
export class CalendarDayType {
  @Field(() => DateScalar, { description: 'The calendar date.' })
  date!: string;

  @Field(() => CalendarDayKindValue, { description: 'Holiday or make-up working day.' })
  kind!: CalendarDayKindValue;

  @Field({ description: 'What the exception is for, e.g. "Spring Festival" or "National Day make-up".' })
  name!: string;
}

export function toCalendarDayType(d: CalendarDay): CalendarDayType {
  return { date: d.date, kind: d.kind as CalendarDayKindValue, name: d.name };
}

@InputType({ description: 'Creates or changes the calendar exception of one date (ADMIN).' })
export class SetCalendarDayInput {
  @Field(() => DateScalar, { description: 'The date.' })
  date!: string;

  @Field(() => CalendarDayKindValue, {
    description: 'HOLIDAY (any day) or WORKDAY (a Saturday or Sunday worked in place of a holiday).',
  })
  kind!: CalendarDayKindValue;

  @Field({ description: 'What it is for, e.g. "National Day"; not empty.' })
  name!: string;
}

@InputType({ description: 'Removes the calendar exception of one date (ADMIN).' })
export class RemoveCalendarDayInput {
  @Field(() => DateScalar, { description: 'The date whose exception is removed.' })
  date!: string;
}

@ObjectType({ description: 'Result of setCalendarDay.' })
export class CalendarDayPayload {
  @Field(() => CalendarDayType, { description: 'The exception as stored.' })
  calendarDay!: CalendarDayType;
}

@ObjectType({ description: 'Result of removeCalendarDay.' })
export class RemoveCalendarDayPayload {
  @Field(() => CalendarDayType, { description: 'The exception that was removed.' })
  removed!: CalendarDayType;
}
