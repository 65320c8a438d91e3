/**
 * Explanation of benefits (claims.md): for every decided claim, in plain Chinese and English
 * that a coordinator can read to the family or print — what was billed, what the government
 * paid, what counted, the deductible taken, each tier's share, the cap, the amount paid, or the
 * reason for a rejection. Pure: built from the claim's stored amounts, working and rule trace.
 */
import Decimal from 'decimal.js';
import { dateInZone } from '../../shared/dates';
import { money, Money, toFen } from '../../shared/money';
import type { DocumentKind, HospitalLevel } from '../pricing/benefit-plan.entity';
import { lastFailure, type PayableWorking, type TraceEntry } from './adjudication';
import { ClaimRejection, ClaimStatus } from './claim.entity';

/** What the explanation reads from a claim. */
export interface EobSource {
  claimNumber: string;
  status: ClaimStatus;
  rejectionReason: ClaimRejection | null;
  reviewNote: string | null;
  ruleTrace: readonly TraceEntry[];
  admissionDate: string;
  dischargeDate: string;
  hospitalName: string;
  hospitalLevel: HospitalLevel;
  diagnosisCode: string;
  totalCost: string;
  basicInsurancePaid: string;
  criticalIllnessPaid: string;
  medicalAssistancePaid: string;
  excludedCost: string;
  eligibleOop: string;
  payable: string | null;
  working: PayableWorking | null;
  /** Claim number of the claim an adjustment corrects; null for an original claim. */
  adjustmentOfNumber: string | null;
  paidAt: Date | null;
  paymentReference: string | null;
}

/** The person as the reader may see them. */
export interface EobPerson {
  name: string;
  maskedId: string;
}

/** One figure of the explanation. */
export interface ExplanationLine {
  /** BILLED, BASIC_INSURANCE, CRITICAL_ILLNESS, MEDICAL_ASSISTANCE, EXCLUDED, COUNTED, COUNTED_EARLIER, DEDUCTIBLE, TIER_1…, CAP, ROUNDING, PAID, REJECTED. */
  code: string;
  labelZh: string;
  labelEn: string;
  /** Yuan, two decimals; null for a line that is words only (REJECTED). */
  amount: string | null;
}

export interface Explanation {
  zh: string;
  en: string;
  lines: ExplanationLine[];
}

const DECIDED: readonly ClaimStatus[] = [ClaimStatus.APPROVED, ClaimStatus.PAID, ClaimStatus.REJECTED];

export function isDecided(status: ClaimStatus): boolean {
  return DECIDED.includes(status);
}

/** `41,696.00`, `-1,500.00`: two decimals, thousands separated. */
export function formatYuan(value: string | Decimal): string {
  const d = toFen(value);
  const [int, frac] = d.abs().toFixed(2).split('.');
  return `${d.isNegative() ? '-' : ''}${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

/** A ratio as a percentage: 0.4 → "40%", 0.125 → "12.5%". */
export function formatPercent(ratio: string): string {
  return `${money(ratio).times(100).toDecimalPlaces(4).toFixed()}%`;
}

const LEVEL: Record<HospitalLevel, { zh: string; en: string }> = {
  TOWNSHIP: { zh: '乡镇卫生院', en: 'township health centre' },
  COUNTY: { zh: '县级医院', en: 'county hospital' },
  CITY: { zh: '市级医院', en: 'city hospital' },
  PROVINCIAL: { zh: '省级医院', en: 'provincial hospital' },
  PRIVATE: { zh: '民营医院', en: 'private hospital' },
};

const DOCUMENT: Record<DocumentKind, { zh: string; en: string }> = {
  INVOICE: { zh: '住院发票', en: 'hospital invoice' },
  DISCHARGE_SUMMARY: { zh: '出院小结', en: 'discharge summary' },
  ID_CARD: { zh: '身份证', en: 'ID card' },
  BANK_ACCOUNT: { zh: '银行账户信息', en: 'bank account details' },
  OTHER: { zh: '其他材料', en: 'other document' },
};

export function documentName(kind: DocumentKind): { zh: string; en: string } {
  return DOCUMENT[kind];
}

const NOT_COVERED_WHY: Record<string, { zh: string; en: string }> = {
  NOT_ENROLLED: { zh: '未参加本保障', en: 'the person is not enrolled in the programme' },
  NOT_STARTED: { zh: '保障尚未开始', en: 'the cover had not started yet' },
  EXPIRED: { zh: '保障已经到期', en: 'the cover had expired' },
  TERMINATED: { zh: '保障已经终止', en: 'the cover had been ended' },
  CONTRACT_NOT_ACTIVE: { zh: '所在县的保障合同当时未生效', en: "the county's contract was not in force" },
};

function rejectionWords(src: EobSource): { zh: string; en: string } {
  const reason = src.rejectionReason ?? ClaimRejection.OTHER;
  switch (reason) {
    case ClaimRejection.NOT_COVERED: {
      const data = lastFailure(src.ruleTrace, 'COVERAGE_IN_FORCE')?.data ?? {};
      const why = NOT_COVERED_WHY[String(data.reason ?? 'NOT_ENROLLED')] ?? NOT_COVERED_WHY.NOT_ENROLLED!;
      return {
        zh: `入院日期 ${src.admissionDate} 时，被保险人不在保障范围内：${why.zh}。`,
        en: `On the admission date ${src.admissionDate} the person was not covered: ${why.en}.`,
      };
    }
    case ClaimRejection.PROVIDER_NOT_COVERED: {
      const data = lastFailure(src.ruleTrace, 'PROVIDER_COVERED')?.data ?? {};
      const covered = ((data.covered as HospitalLevel[] | undefined) ?? []).map((l) => LEVEL[l]);
      const level = LEVEL[src.hospitalLevel];
      return {
        zh: `本保障不报销${level.zh}的费用（报销范围：${covered.map((c) => c.zh).join('、')}）。`,
        en: `The plan does not pay for stays in a ${level.en} (it covers: ${covered.map((c) => c.en).join(', ')}).`,
      };
    }
    case ClaimRejection.LATE_SUBMISSION: {
      const data = lastFailure(src.ruleTrace, 'FILED_IN_TIME')?.data ?? {};
      return {
        zh: `出院 ${String(data.daysAfterDischarge)} 天后才提交申请，超过了出院后 ${String(data.filingWindowDays)} 天的申请期限。`,
        en: `The claim was filed ${String(data.daysAfterDischarge)} days after discharge; claims must be filed within ${String(data.filingWindowDays)} days of discharge.`,
      };
    }
    case ClaimRejection.DUPLICATE_INVOICE: {
      const data = lastFailure(src.ruleTrace, 'NO_DUPLICATE_INVOICE')?.data ?? {};
      const dups =
        (data.duplicates as
          { claimNumber: string; invoiceNumbers: string[]; settlementNumber: string | null }[] | undefined) ??
        [];
      const zh = dups
        .map(
          (d) =>
            `${[d.invoiceNumbers.length ? `发票号 ${d.invoiceNumbers.join('、')}` : '', d.settlementNumber ? `结算单号 ${d.settlementNumber}` : ''].filter(Boolean).join('及')}已在理赔 ${d.claimNumber} 中申请过`,
        )
        .join('；');
      const en = dups
        .map(
          (d) =>
            `${[d.invoiceNumbers.length ? `invoice number(s) ${d.invoiceNumbers.join(', ')}` : '', d.settlementNumber ? `settlement number ${d.settlementNumber}` : ''].filter(Boolean).join(' and ')} already claimed on ${d.claimNumber}`,
        )
        .join('; ');
      return { zh: `同一笔费用不能重复申请：${zh}。`, en: `The same bill cannot be claimed twice: ${en}.` };
    }
    case ClaimRejection.OTHER:
      return {
        zh: `审核未通过。审核意见：${src.reviewNote ?? '（无）'}`,
        en: `Not approved after review. Reviewer's note: ${src.reviewNote ?? '(none)'}`,
      };
  }
}

function tierLabel(t: { from: string; to: string | null; ratio: string }): { zh: string; en: string } {
  const pct = formatPercent(t.ratio);
  return t.to === null
    ? {
        zh: `累计超过 ${formatYuan(t.from)} 元的部分按 ${pct} 赔付`,
        en: `${pct} of the part above ${formatYuan(t.from)}`,
      }
    : {
        zh: `累计 ${formatYuan(t.from)} 至 ${formatYuan(t.to)} 元的部分按 ${pct} 赔付`,
        en: `${pct} of the part from ${formatYuan(t.from)} to ${formatYuan(t.to)}`,
      };
}

/**
 * The explanation of a decided claim (APPROVED, PAID or REJECTED); null before a decision.
 * Tier shares and the cap are shown to the fen; a ROUNDING line appears only when the
 * rounded lines would otherwise not add up to the payable (round(P(C+x)) − round(P(C))).
 */
export function explainClaim(src: EobSource, person: EobPerson): Explanation | null {
  if (!isDecided(src.status)) return null;
  const lines: ExplanationLine[] = [];
  const add = (code: string, labelZh: string, labelEn: string, amount: string | Decimal | null) =>
    lines.push({ code, labelZh, labelEn, amount: amount === null ? null : toFen(amount).toFixed(2) });
  const zh: string[] = [];
  const en: string[] = [];
  const level = LEVEL[src.hospitalLevel];
  const adjustment = src.adjustmentOfNumber !== null;

  zh.push(`理赔结果说明 —— 理赔编号 ${src.claimNumber}`);
  en.push(`Explanation of benefits — claim ${src.claimNumber}`);
  zh.push(`被保险人：${person.name}（身份证号 ${person.maskedId}）`);
  en.push(`Insured: ${person.name} (ID ${person.maskedId})`);
  zh.push(
    `住院：${src.hospitalName}（${level.zh}），${src.admissionDate} 至 ${src.dischargeDate}；诊断编码 ${src.diagnosisCode}。`,
  );
  en.push(
    `Hospital stay: ${src.hospitalName} (${level.en}), ${src.admissionDate} to ${src.dischargeDate}; diagnosis ${src.diagnosisCode}.`,
  );
  if (adjustment) {
    zh.push(
      `这是对理赔 ${src.adjustmentOfNumber} 的更正${src.reviewNote ? `，原因：${src.reviewNote}` : ''}。以下金额为更正的差额。`,
    );
    en.push(
      `This corrects claim ${src.adjustmentOfNumber}${src.reviewNote ? `, because: ${src.reviewNote}` : ''}. The amounts below are the changes.`,
    );
  }

  add('BILLED', '医院总费用', 'Billed by the hospital', src.totalCost);
  add('BASIC_INSURANCE', '基本医疗保险支付', 'Paid by basic medical insurance', src.basicInsurancePaid);
  add('CRITICAL_ILLNESS', '大病保险支付', 'Paid by critical-illness insurance', src.criticalIllnessPaid);
  add('MEDICAL_ASSISTANCE', '医疗救助支付', 'Paid by medical assistance', src.medicalAssistancePaid);
  add('EXCLUDED', '不予报销的自费费用', 'Self-pay items the plan does not cover', src.excludedCost);
  const government = money(src.basicInsurancePaid)
    .plus(src.criticalIllnessPaid)
    .plus(src.medicalAssistancePaid);
  zh.push(`医院总费用：${formatYuan(src.totalCost)} 元。`);
  en.push(`Billed by the hospital: ${formatYuan(src.totalCost)} yuan.`);
  zh.push(
    `政府报销共 ${formatYuan(government)} 元：基本医疗保险 ${formatYuan(src.basicInsurancePaid)} 元，大病保险 ${formatYuan(src.criticalIllnessPaid)} 元，医疗救助 ${formatYuan(src.medicalAssistancePaid)} 元。`,
  );
  en.push(
    `Paid by government schemes: ${formatYuan(government)} yuan — basic medical insurance ${formatYuan(src.basicInsurancePaid)}, critical-illness insurance ${formatYuan(src.criticalIllnessPaid)}, medical assistance ${formatYuan(src.medicalAssistancePaid)}.`,
  );
  zh.push(`不予报销的自费费用：${formatYuan(src.excludedCost)} 元。`);
  en.push(`Self-pay items the plan does not cover: ${formatYuan(src.excludedCost)} yuan.`);
  add(
    'COUNTED',
    '计入本保障的自付费用',
    'Counted towards this plan (eligible out-of-pocket)',
    src.eligibleOop,
  );

  if (src.status === ClaimStatus.REJECTED) {
    const words = rejectionWords(src);
    zh.push(`计入本保障的自付费用：${formatYuan(src.eligibleOop)} 元。`);
    en.push(`Counted towards this plan: ${formatYuan(src.eligibleOop)} yuan.`);
    zh.push(`本次申请未获赔付。${words.zh}`);
    en.push(`This claim is not paid. ${words.en}`);
    lines.push({ code: 'REJECTED', labelZh: words.zh, labelEn: words.en, amount: null });
    add('PAID', '本次赔付', 'Amount paid', '0');
    zh.push('本次赔付：0.00 元。');
    en.push('Amount paid: 0.00 yuan.');
    return { zh: zh.join('\n'), en: en.join('\n'), lines };
  }

  const w = src.working!;
  add('COUNTED_EARLIER', '本年度此前已计入', 'Counted from earlier claims this year', w.priorEligible);
  zh.push(
    `计入本保障的自付费用（政府报销后仍需自付、且在保障范围内的部分）：${formatYuan(w.eligible)} 元；本年度此前已计入：${formatYuan(w.priorEligible)} 元。`,
  );
  en.push(
    `Counted towards this plan (what was still owed after government schemes, less excluded items): ${formatYuan(w.eligible)} yuan; counted from earlier claims this year: ${formatYuan(w.priorEligible)} yuan.`,
  );
  add('DEDUCTIBLE', '本次扣除的免赔额', 'Deductible taken by this claim', w.deductibleTaken);
  zh.push(
    `年度免赔额 ${formatYuan(w.deductible)} 元，每年只扣一次；此前已扣 ${formatYuan(w.deductibleTakenBefore)} 元，本次扣除 ${formatYuan(w.deductibleTaken)} 元。`,
  );
  en.push(
    `Deductible: ${formatYuan(w.deductible)} yuan a year, taken once; taken before: ${formatYuan(w.deductibleTakenBefore)}; taken by this claim: ${formatYuan(w.deductibleTaken)}.`,
  );
  let shown = new Money(0);
  let anyTier = false;
  for (const t of w.tiers) {
    if (money(t.amount).isZero()) continue;
    anyTier = true;
    const label = tierLabel(t);
    const share = toFen(t.share);
    shown = shown.plus(share);
    add(`TIER_${t.index + 1}`, label.zh, label.en, share);
    zh.push(`${label.zh}：本次计入 ${formatYuan(t.amount)} 元，赔付 ${formatYuan(share)} 元。`);
    en.push(`${label.en}: ${formatYuan(t.amount)} counted, ${formatYuan(share)} paid.`);
  }
  if (!anyTier) {
    zh.push('本次计入的费用都在免赔额以内，没有可赔付的部分。');
    en.push('All of this claim fell within the deductible: nothing above it to pay.');
  }
  const cap = toFen(w.capReduction);
  if (!cap.isZero()) {
    shown = shown.minus(cap);
    add('CAP', '超过年度赔付上限的部分', 'Cut by the annual cap', cap.negated());
  }
  zh.push(
    `年度赔付上限 ${formatYuan(w.annualCap)} 元；本年度含本次累计赔付 ${formatYuan(w.benefitAfter)} 元（${w.capReached ? '已达到上限' : '未达到上限'}）${cap.isZero() ? '' : `，上限扣减 ${formatYuan(cap)} 元`}。`,
  );
  en.push(
    `Annual cap: ${formatYuan(w.annualCap)} yuan per person; paid this year including this claim: ${formatYuan(w.benefitAfter)} (${w.capReached ? 'cap reached' : 'cap not reached'})${cap.isZero() ? '' : `; the cap cut ${formatYuan(cap)} from this claim`}.`,
  );
  const payable = money(src.payable ?? w.payable);
  const rounding = payable.minus(shown);
  if (!rounding.isZero()) add('ROUNDING', '四舍五入到分', 'Rounding to the fen', rounding);
  add(
    'PAID',
    payable.isNegative() ? '本次应退回' : '本次赔付',
    payable.isNegative() ? 'Amount to be recovered' : 'Amount paid',
    payable,
  );
  const paid = src.status === ClaimStatus.PAID;
  const when = paid && src.paidAt ? dateInZone(src.paidAt) : null;
  if (payable.isNegative()) {
    zh.push(`本次更正后应退回：${formatYuan(payable.negated())} 元。`);
    en.push(`After this correction, ${formatYuan(payable.negated())} yuan is to be recovered.`);
  } else if (paid) {
    zh.push(
      `本次赔付：${formatYuan(payable)} 元，已于 ${when ?? '—'} 支付${src.paymentReference ? `（支付流水号 ${src.paymentReference}）` : ''}。`,
    );
    en.push(
      `Amount paid: ${formatYuan(payable)} yuan, paid on ${when ?? '—'}${src.paymentReference ? ` (payment reference ${src.paymentReference})` : ''}.`,
    );
  } else {
    zh.push(`本次赔付：${formatYuan(payable)} 元（已批准，等待支付）。`);
    en.push(`Amount paid: ${formatYuan(payable)} yuan (approved, payment on its way).`);
  }
  return { zh: zh.join('\n'), en: en.join('\n'), lines };
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A printable page: both languages, each paragraph as written, and the figures as a table. */
export function renderEobHtml(claimNumber: string, e: Explanation): string {
  const paragraphs = (text: string) =>
    text
      .split('\n')
      .map((p, i) => (i === 0 ? `<h2>${escapeHtml(p)}</h2>` : `<p>${escapeHtml(p)}</p>`))
      .join('\n');
  const rows = e.lines
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.labelZh)}<br><span class="en">${escapeHtml(l.labelEn)}</span></td>` +
        `<td class="amount">${l.amount === null ? '' : escapeHtml(formatYuan(l.amount))}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>理赔结果说明 Explanation of benefits ${escapeHtml(claimNumber)}</title>
<style>
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 46em; margin: 2em auto; line-height: 1.6; }
h2 { font-size: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; }
td { border-bottom: 1px solid #ccc; padding: .3em .5em; vertical-align: top; }
td.amount { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.en { color: #555; font-size: .9em; }
section { page-break-inside: avoid; margin-bottom: 2em; }
</style>
</head>
<body>
<section lang="zh-CN">
${paragraphs(e.zh)}
</section>
<table>
<tr><th>项目 Item</th><th>金额（元）Yuan</th></tr>
${rows}
</table>
<section lang="en">
${paragraphs(e.en)}
</section>
</body>
</html>
`;
}

/** Plain text: Chinese first, then English. */
export function renderEobText(e: Explanation): string {
  return `${e.zh}\n\n${e.en}\n`;
}

const REJECTION_SHORT: Record<ClaimRejection, { zh: string; en: string }> = {
  NOT_COVERED: { zh: '入院时不在保障期内', en: 'not covered on the admission date' },
  PROVIDER_NOT_COVERED: { zh: '该级别医院不在报销范围', en: 'hospital level not covered by the plan' },
  LATE_SUBMISSION: { zh: '超过申请期限', en: 'filed after the filing window' },
  DUPLICATE_INVOICE: { zh: '发票已申请过', en: 'invoice already claimed' },
  OTHER: { zh: '审核未通过', en: 'not approved after review' },
};

/** What happens next, in words a coordinator can pass on (their list of claims shows it). */
export function nextStepOf(c: {
  status: ClaimStatus;
  rejectionReason: ClaimRejection | null;
  missingDocuments: readonly DocumentKind[];
  dueDate: string | null;
  paidAt: Date | null;
}): { zh: string; en: string } {
  const due = c.dueDate ?? '—';
  switch (c.status) {
    case ClaimStatus.SUBMITTED:
      return { zh: '已提交，等待处理', en: 'Submitted, waiting to be processed' };
    case ClaimStatus.NEEDS_INFO:
      return {
        zh: `请补交：${c.missingDocuments.map((k) => DOCUMENT[k].zh).join('、')}（补齐后继续计时）`,
        en: `Please add: ${c.missingDocuments.map((k) => DOCUMENT[k].en).join(', ')} (the clock restarts once added)`,
      };
    case ClaimStatus.UNDER_REVIEW:
      return {
        zh: `保险公司审核中，应于 ${due} 前完成赔付`,
        en: `Being reviewed by the insurer; due to be paid by ${due}`,
      };
    case ClaimStatus.APPROVED:
      return { zh: `已批准，等待支付，应于 ${due} 前到账`, en: `Approved; payment due by ${due}` };
    case ClaimStatus.PAID: {
      const on = c.paidAt ? dateInZone(c.paidAt) : '—';
      return { zh: `已于 ${on} 支付`, en: `Paid on ${on}` };
    }
    case ClaimStatus.REJECTED: {
      const r = REJECTION_SHORT[c.rejectionReason ?? ClaimRejection.OTHER];
      return { zh: `未获赔付：${r.zh}`, en: `Not paid: ${r.en}` };
    }
  }
}
