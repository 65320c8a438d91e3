/**
 * Taylor & Ashe (1983) paid claims, the triangle Mack (1993) uses (ASTIN Bulletin 23(2))
 * and the R ChainLadder package ships as `GenIns`. Incremental as published; origin
 * years oldest first, development years 1–10.
 */
export const GEN_INS_INCREMENTAL: readonly (readonly number[])[] = [
  [357848, 766940, 610542, 482940, 527326, 574398, 146342, 139950, 227229, 67948],
  [352118, 884021, 933894, 1183289, 445745, 320996, 527804, 266172, 425046],
  [290507, 1001799, 926219, 1016654, 750816, 146923, 495992, 280405],
  [310608, 1108250, 776189, 1562400, 272482, 352053, 206286],
  [443160, 693190, 991983, 769488, 504851, 470639],
  [396132, 937085, 847498, 805037, 705960],
  [440832, 847631, 1131398, 1063269],
  [359480, 1061648, 1443370],
  [376686, 986608],
  [344014],
];

/** The same, cumulated, padded with null to a 10 × 10 triangle (GenIns as ChainLadder prints it). */
export const GEN_INS_CUMULATIVE: (number | null)[][] = GEN_INS_INCREMENTAL.map((row) => {
  let running = 0;
  const cumulative: (number | null)[] = row.map((amount) => (running += amount));
  while (cumulative.length < 10) cumulative.push(null);
  return cumulative;
});
