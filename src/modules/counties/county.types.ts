import { Field, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import type { County } from './county.entity';

@ObjectType('County', { description: 'A county-level division (GB/T 2260) where the programme may run.' })
export class CountyType {
  @Field({ description: '6-digit administrative division code, e.g. 513432 (Xide).' })
  code!: string;

  @Field({ description: 'Chinese name, e.g. 喜德县.' })
  nameZh!: string;

  @Field({ description: 'English name, e.g. Xide.' })
  nameEn!: string;

  @Field({ description: '6-digit code of the prefecture.' })
  prefectureCode!: string;

  @Field({ description: 'Chinese name of the prefecture.' })
  prefectureZh!: string;

  @Field({ description: 'Two-digit province code (first two digits of the county code).' })
  provinceCode!: string;

  @Field({ description: 'Chinese name of the province.' })
  provinceZh!: string;

  @Field({ description: 'English name of the province.' })
  provinceEn!: string;
}

export const CountyConnection = ConnectionType(CountyType, 'County');

export function toCountyType(c: County): CountyType {
  return {
    code: c.code,
    nameZh: c.nameZh,
    nameEn: c.nameEn,
    prefectureCode: c.prefectureCode,
    prefectureZh: c.prefectureZh,
    provinceCode: c.provinceCode,
    provinceZh: c.provinceZh,
    provinceEn: c.provinceEn,
  };
}

@InputType({ description: 'Filters for the county list.' })
export class CountyFilterInput {
  @Field({ nullable: true, description: 'Two-digit province code.' })
  provinceCode?: string;

  @Field({ nullable: true, description: 'Part of the code, Chinese or English name.' })
  search?: string;
}

@InputType({ description: 'Creates or updates a county (ADMIN).' })
export class UpsertCountyInput {
  @Field({ description: '6-digit county code.' })
  code!: string;

  @Field({ description: 'Chinese name.' })
  nameZh!: string;

  @Field({ description: 'English name.' })
  nameEn!: string;

  @Field({ description: '6-digit prefecture code.' })
  prefectureCode!: string;

  @Field({ description: 'Chinese name of the prefecture.' })
  prefectureZh!: string;

  @Field({ description: 'Chinese name of the province.' })
  provinceZh!: string;

  @Field({ description: 'English name of the province.' })
  provinceEn!: string;
}

@ObjectType({ description: 'Result of upsertCounty.' })
export class CountyPayload {
  @Field(() => CountyType, { description: 'The county as stored.' })
  county!: CountyType;
}
