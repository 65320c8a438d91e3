import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import type { CalendarDayKind } from '../../shared/working-days';

/** An exception to Monday–Friday: a public holiday, or a weekend day worked in its place. */
@Entity({ tableName: 'calendar_day' })
export class CalendarDay {
  @PrimaryKey({ type: 'date' })
  date!: string;

  @Enum({ items: ['HOLIDAY', 'WORKDAY'], type: 'text' })
  kind!: CalendarDayKind;

  @Property({ type: 'text' })
  name!: string;
}
