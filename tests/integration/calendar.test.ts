import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { seedReferenceData } from '../factories/reference';

let h: Harness;
let admin: string;
let reviewer: string;
beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  admin = await h.token(Role.ADMIN);
  reviewer = await h.token(Role.CLAIMS_REVIEWER);
});
afterAll(async () => h?.close());

const READERS = [Role.ADMIN, Role.ACTUARY, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];

const DAYS = `query($from: Date!, $to: Date!) { calendarDays(from: $from, to: $to) { date kind name } }`;
const ADD = `query($date: Date!, $n: Int!) { addWorkingDays(date: $date, n: $n) }`;
const SET = `mutation($input: SetCalendarDayInput!) { setCalendarDay(input: $input) { calendarDay { date kind name } } }`;
const REMOVE = `mutation($input: RemoveCalendarDayInput!) { removeCalendarDay(input: $input) { removed { date kind name } } }`;

const count = async (table: string, where = 'true') =>
  (await h.sql<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`))[0]!.n;
const auditFor = (date: string) =>
  h.sql(
    `select action, from_state, to_state, changes, actor_role from audit_event where entity_type = 'CalendarDay' and entity_id = $1 order by id`,
    [date],
  );

describe('calendar roles', () => {
  it('calendarDays: everyone but INTEGRATION', async () => {
    await expectRoles(h, DAYS, { from: '2020-01-01', to: '2020-01-31' }, READERS);
  });

  it('addWorkingDays: everyone but INTEGRATION', async () => {
    await expectRoles(h, ADD, { date: '2020-01-23', n: 5 }, READERS);
  });

  it('setCalendarDay: ADMIN only', async () => {
    await expectRoles(h, SET, { input: { date: '2019-01-01', kind: 'HOLIDAY', name: "New Year's Day" } }, [
      Role.ADMIN,
    ]);
  });

  it('removeCalendarDay: ADMIN only', async () => {
    await expectRoles(h, REMOVE, { input: { date: '2030-06-01' } }, [Role.ADMIN]);
  });
});

describe('calendarDays', () => {
  it('lists the exceptions of a range by date, both ends included', async () => {
    const res = await h.gql(DAYS, { from: '2020-01-19', to: '2020-02-02' }, reviewer);
    expect(res.errors).toBeUndefined();
    const days = res.data!.calendarDays;
    expect(days[0]).toEqual({ date: '2020-01-19', kind: 'WORKDAY', name: 'Spring Festival make-up' });
    expect(days.at(-1)).toEqual({ date: '2020-02-02', kind: 'HOLIDAY', name: 'Spring Festival (extended)' });
    expect(days).toHaveLength(11);
  });

  it('refuses a range that ends before it starts, or is too wide', async () => {
    let res = await h.gql(DAYS, { from: '2020-02-01', to: '2020-01-01' }, reviewer);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    res = await h.gql(DAYS, { from: '2000-01-01', to: '2020-01-01' }, reviewer);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  it('refuses a date that is not a calendar date', async () => {
    const res = await h.gql(DAYS, { from: '2020-02-30', to: '2020-03-01' }, reviewer);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
  });
});

describe('addWorkingDays', () => {
  it.each([
    ['2020-01-23', 5, '2020-02-07'],
    ['2020-01-17', 1, '2020-01-19'],
    ['2019-09-30', 1, '2019-10-08'],
    ['2020-01-25', 0, '2020-02-03'],
    ['2020-03-02', 0, '2020-03-02'],
  ])('%s + %i = %s', async (date, n, expected) => {
    const res = await h.gql(ADD, { date, n }, reviewer);
    expect(res.errors).toBeUndefined();
    expect(res.data!.addWorkingDays).toBe(expected);
  });

  it('refuses a negative or huge n', async () => {
    for (const n of [-1, 1001]) {
      const res = await h.gql(ADD, { date: '2020-03-02', n }, reviewer);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'n' });
    }
  });
});

describe('editing the calendar', () => {
  it('adds a holiday, audited, and working-day arithmetic sees it at once', async () => {
    const svc = h.rt.services.calendar;
    expect(await svc.addWorkingDays(h.em(), '2020-03-02', 1)).toBe('2020-03-03');
    const cached = await svc.calendar(h.em());
    expect(await svc.calendar(h.em())).toBe(cached); // served from the process cache

    const res = await h.gql(
      SET,
      { input: { date: '2020-03-03', kind: 'HOLIDAY', name: '  Local holiday ' } },
      admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.setCalendarDay.calendarDay).toEqual({
      date: '2020-03-03',
      kind: 'HOLIDAY',
      name: 'Local holiday',
    });
    expect(await svc.calendar(h.em())).not.toBe(cached);
    expect((await h.gql(ADD, { date: '2020-03-02', n: 1 }, reviewer)).data!.addWorkingDays).toBe(
      '2020-03-04',
    );

    const audit = await auditFor('2020-03-03');
    expect(audit).toEqual([
      {
        action: 'CREATE',
        from_state: null,
        to_state: 'HOLIDAY',
        changes: { kind: { from: null, to: 'HOLIDAY' }, name: { from: null, to: 'Local holiday' } },
        actor_role: 'ADMIN',
      },
    ]);

    const removed = await h.gql(REMOVE, { input: { date: '2020-03-03' } }, admin);
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.removeCalendarDay.removed).toEqual({
      date: '2020-03-03',
      kind: 'HOLIDAY',
      name: 'Local holiday',
    });
    expect(await count('calendar_day', `date = '2020-03-03'`)).toBe(0);
    expect((await h.gql(ADD, { date: '2020-03-02', n: 1 }, reviewer)).data!.addWorkingDays).toBe(
      '2020-03-03',
    );
    expect((await auditFor('2020-03-03')).map((a) => [a.action, a.from_state, a.to_state])).toEqual([
      ['CREATE', null, 'HOLIDAY'],
      ['DELETE', 'HOLIDAY', null],
    ]);
  });

  it('changes an existing day, auditing the changed fields only', async () => {
    const res = await h.gql(
      SET,
      { input: { date: '2021-10-09', kind: 'WORKDAY', name: 'Golden Week make-up' } },
      admin,
    );
    expect(res.errors).toBeUndefined();
    const audit = await auditFor('2021-10-09');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'UPDATE',
      from_state: 'WORKDAY',
      to_state: 'WORKDAY',
      changes: { name: { from: 'National Day make-up', to: 'Golden Week make-up' } },
    });
    // Setting the same again changes nothing and records nothing.
    await h.gql(SET, { input: { date: '2021-10-09', kind: 'WORKDAY', name: 'Golden Week make-up' } }, admin);
    expect(await auditFor('2021-10-09')).toHaveLength(1);
  });

  it('a make-up working day on a weekend counts at once', async () => {
    // 2020-03-07 is a Saturday.
    expect((await h.gql(ADD, { date: '2020-03-06', n: 1 }, reviewer)).data!.addWorkingDays).toBe(
      '2020-03-09',
    );
    await h.gql(SET, { input: { date: '2020-03-07', kind: 'WORKDAY', name: 'Make-up' } }, admin);
    expect((await h.gql(ADD, { date: '2020-03-06', n: 1 }, reviewer)).data!.addWorkingDays).toBe(
      '2020-03-07',
    );
    await h.gql(REMOVE, { input: { date: '2020-03-07' } }, admin);
  });

  it.each([
    [{ date: '2020-03-04', kind: 'WORKDAY', name: 'Make-up' }, 'kind'], // a Wednesday is a working day already
    [{ date: '2020-03-07', kind: 'HOLIDAY', name: '   ' }, 'name'],
    [{ date: '2020-13-01', kind: 'HOLIDAY', name: 'Bad' }, 'input.date'],
  ])('refuses %j (field %s) and writes nothing', async (input, field) => {
    const days = await count('calendar_day');
    const events = await count('audit_event', `entity_type = 'CalendarDay'`);
    const res = await h.gql(SET, { input }, admin);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await count('calendar_day')).toBe(days);
    expect(await count('audit_event', `entity_type = 'CalendarDay'`)).toBe(events);
  });

  it('refuses an unknown kind', async () => {
    const res = await h.gql(SET, { input: { date: '2020-03-07', kind: 'VACATION', name: 'x' } }, admin);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('removing a date without an exception is NOT_FOUND', async () => {
    const events = await count('audit_event', `entity_type = 'CalendarDay'`);
    const res = await h.gql(REMOVE, { input: { date: '2020-03-05' } }, admin);
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await count('audit_event', `entity_type = 'CalendarDay'`)).toBe(events);
  });
});
