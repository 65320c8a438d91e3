import { Entity, Enum, ManyToOne, Opt, PrimaryKey, Property, Rel } from '@mikro-orm/core';
import { TIMESTAMP } from '../../db/types';
import { CountyContract } from '../contracts/county-contract.entity';

export enum RosterImportMode {
  MERGE = 'MERGE',
  REPLACE = 'REPLACE',
}

export enum RosterImportStatus {
  UPLOADED = 'UPLOADED',
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}

/** One roster file and what became of each of its rows. */
@Entity({ tableName: 'roster_import' })
export class RosterImport {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => CountyContract, { index: true })
  contract!: Rel<CountyContract>;

  @Enum({ items: () => RosterImportMode, type: 'text' })
  mode: Opt<RosterImportMode> = RosterImportMode.MERGE;

  @Enum({ items: () => RosterImportStatus, type: 'text' })
  status: Opt<RosterImportStatus> = RosterImportStatus.UPLOADED;

  @Property({ type: 'text' })
  fileName!: string;

  @Property({ type: 'text' })
  storageKey!: string;

  @Property({ type: 'string', length: 64 })
  fileSha256!: string;

  @Property({ type: 'integer', default: 0 })
  totalRows: Opt<number> = 0;

  @Property({ type: 'integer', default: 0 })
  acceptedRows: Opt<number> = 0;

  @Property({ type: 'integer', default: 0 })
  updatedRows: Opt<number> = 0;

  @Property({ type: 'integer', default: 0 })
  unchangedRows: Opt<number> = 0;

  @Property({ type: 'integer', default: 0 })
  rejectedRows: Opt<number> = 0;

  @Property({ type: 'integer', default: 0 })
  endedCoverages: Opt<number> = 0;

  @Property({ type: 'text', nullable: true })
  failureReason?: string | null;

  @Property({ type: 'integer', nullable: true })
  createdByTokenId?: number | null;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();

  @Property({ ...TIMESTAMP, nullable: true })
  completedAt?: Date | null;
}

/** A rejected roster row: line number, masked ID and reason code. */
@Entity({ tableName: 'roster_reject' })
export class RosterReject {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => RosterImport, { index: true, deleteRule: 'cascade' })
  rosterImport!: Rel<RosterImport>;

  @Property({ type: 'integer' })
  lineNumber!: number;

  @Property({ type: 'text', nullable: true })
  maskedId?: string | null;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'text', nullable: true })
  detail?: string | null;
}
