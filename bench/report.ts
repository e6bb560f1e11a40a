/** One line of the verdict: a DESIGN.md section 7 budget, what was measured, and whether it holds. */
export interface BudgetCheck {
  name: string;
  pass: boolean;
  /** Measured value against the budget, in words. */
  detail: string;
}

/** A job's share of the report: table rows, notes on method, and budget checks. */
export interface JobReport {
  title: string;
  table: { head: string[]; rows: (string | number)[][] };
  notes: string[];
  budgets: BudgetCheck[];
}

export function printJob(job: JobReport): void {
  console.log(`\n${job.title}`);
  const cells = [job.table.head, ...job.table.rows.map((row) => row.map(String))];
  const widths = job.table.head.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  for (const row of cells) {
    // First column left-aligned (labels), the rest right-aligned (numbers).
    const padded = row.map((cell, i) =>
      i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
    );
    console.log(`  ${padded.join('  ')}`);
  }
  for (const note of job.notes) console.log(`  · ${note}`);
}

export function printBudgets(checks: readonly BudgetCheck[]): void {
  console.log('\nbudgets (DESIGN.md section 7)');
  for (const check of checks) console.log(`${check.pass ? 'PASS' : 'FAIL'}  ${check.name}: ${check.detail}`);
}

export const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** The report of a job that could not measure: its budget lines fail and say why. */
export function failedJob(title: string, budgetNames: readonly string[], error: unknown): JobReport {
  const reason = (error as Error)?.message ?? String(error);
  return {
    title,
    table: { head: ['measure', 'value'], rows: [['could not measure', reason]] },
    notes: [],
    budgets: budgetNames.map((name) => ({ name, pass: false, detail: `not measured: ${reason}` })),
  };
}
