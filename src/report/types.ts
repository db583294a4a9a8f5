/**
 * What `maskdcpt report` reads and what it renders from.
 *
 * Two JSON inputs are defined here (both validated with zod, errors name the file and the field):
 * - the report JSON, written by `maskdcpt demo` and by anyone who wants a page: tables, before/after examples,
 *   a confusion matrix, notes, and run directories whose curves should be drawn;
 * - eval JSON: what `maskdcpt eval --json` prints (evalResultSchema), or a generic flat form (evalJsonSchema);
 *   one suite's per-task averages and optionally per-image rows, rendered as tables.
 * Relative paths inside a JSON file (image files, run directories) resolve against that file's folder.
 *
 * The *View types are the renderer's model: plain data, already read from disk (images as data URIs), so the HTML
 * side is pure string building.
 */
import { z } from 'zod';

const cell = z.union([z.string(), z.number(), z.null()]);

const tableSchema = z
  .strictObject({
    title: z.string(),
    /** How the numbers were measured, e.g. "PSNR on Y, crop 4" (shown under the title). */
    convention: z.string().optional(),
    columns: z.array(z.string()).min(1),
    /** null renders as "—" (a value that was not measured). */
    rows: z.array(z.array(cell)),
  })
  .superRefine((t, ctx) => {
    t.rows.forEach((r, i) => {
      if (r.length !== t.columns.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['rows', i],
          message: `has ${r.length} cells but the table has ${t.columns.length} columns`,
        });
      }
    });
  });

const confusionSchema = z
  .strictObject({
    /** Class names; rows are the true class, columns the predicted one. */
    labels: z.array(z.string()).min(1),
    matrix: z.array(z.array(z.number().min(0))),
  })
  .superRefine((c, ctx) => {
    const n = c.labels.length;
    if (c.matrix.length !== n) {
      ctx.addIssue({ code: 'custom', path: ['matrix'], message: `has ${c.matrix.length} rows for ${n} labels` });
    }
    c.matrix.forEach((r, i) => {
      if (r.length !== n)
        ctx.addIssue({ code: 'custom', path: ['matrix', i], message: `has ${r.length} columns for ${n} labels` });
    });
  });

/**
 * The report JSON. Unknown top-level keys are allowed (writers may add e.g. `generator`); nested objects are
 * strict so that a misspelt field is an error rather than silently missing from the page.
 */
export const reportJsonSchema = z.looseObject({
  title: z.string(),
  runs: z.array(z.strictObject({ name: z.string(), runDir: z.string() })).optional(),
  tables: z.array(tableSchema).optional(),
  /**
   * A before/after slider compares the first image with each of the others (e.g. input | output | target); an
   * example with a single image is shown as it is.
   */
  examples: z
    .array(
      z.strictObject({
        title: z.string(),
        images: z.array(z.strictObject({ label: z.string(), file: z.string() })).min(1),
      }),
    )
    .optional(),
  confusion: confusionSchema.optional(),
  notes: z.array(z.string()).optional(),
});
export type ReportJson = z.infer<typeof reportJsonSchema>;

const metricValue = z.union([z.number(), z.string(), z.null()]);
/** `maskdcpt eval --json` writes infinities (identical images) as the strings "inf" / "-inf". */
const measured = z.union([z.number(), z.enum(['inf', '-inf'])]);

/**
 * What `maskdcpt eval --json` prints (src/eval's EvalResult plus `model`), recognised by its `metrics` list.
 * Only the fields the page shows are required; the rest passes through.
 */
export const evalResultSchema = z.looseObject({
  suite: z.string(),
  description: z.string().optional(),
  kind: z.string().optional(),
  model: z.string().optional(),
  /** Metric columns in display order, e.g. ['psnr', 'ssim'] or ['piqe_in', 'piqe_out', ...]. */
  metrics: z.array(z.string()),
  tasks: z.array(
    z.looseObject({
      task: z.string(),
      label: z.string().optional(),
      images: z.number().int().min(0),
      means: z.record(z.string(), measured),
      /** Metric → how it was computed, e.g. "maskdcpt, RGB, crop 0". */
      conventions: z.record(z.string(), z.string()).optional(),
    }),
  ),
  rows: z
    .array(
      z.looseObject({
        task: z.string(),
        label: z.string().optional(),
        image: z.string(),
        metrics: z.record(z.string(), measured),
        seconds: z.number().optional(),
      }),
    )
    .optional(),
  /** Mean of the task means (the paper's "Avg" column). */
  average: z.record(z.string(), measured).optional(),
  seconds: z.number().optional(),
});
export type EvalResultJson = z.infer<typeof evalResultSchema>;

/**
 * A generic eval JSON, for results made elsewhere (another tool, a paper's numbers): one suite, flat per-task
 * values and optional per-image rows. Extra fields on a task (e.g. `niqe`) become extra columns.
 */
export const evalJsonSchema = z.looseObject({
  suite: z.string(),
  convention: z.string().optional(),
  tasks: z.array(
    z.looseObject({
      task: z.string(),
      psnr: z.number().nullable().optional(),
      ssim: z.number().nullable().optional(),
      n: z.number().int().min(0).optional(),
    }),
  ),
  /** Per-image results, e.g. {task, image, psnr, ssim}; shown in a collapsed table. */
  rows: z.array(z.record(z.string(), metricValue)).optional(),
});
export type EvalJson = z.infer<typeof evalJsonSchema>;

/**
 * One thing to put in the page: a path (a run directory, its `metrics.jsonl`, a report JSON or an eval JSON),
 * or a report/eval object already in memory (relative paths in it resolve against `baseDir`, default the cwd).
 */
export type ReportSource = string | { report: ReportJson; baseDir?: string } | { eval: EvalJson | EvalResultJson };

export interface ReportInput {
  sources: ReportSource[];
  /** Page title; default: the only section's title, else "maskdcpt report". */
  title?: string;
  /** Images wider than this are downscaled (sharp) before embedding; default 768. */
  maxImageWidth?: number;
}

// ---- the renderer's model ----

export type Cell = string | number | null;

export interface Series {
  name: string;
  /** [iteration, value] sorted by iteration. */
  points: Array<[number, number]>;
}

export interface ChartView {
  title: string;
  series: Series[];
  /** Log-scale y axis (chosen for losses spanning more than a decade). */
  logY: boolean;
  /** Iterations where the run was resumed, drawn as dashed lines. */
  marks: number[];
  /** A line under the chart, e.g. how points were averaged. */
  note?: string;
}

export interface TableView {
  title: string;
  convention?: string;
  columns: string[];
  rows: Cell[][];
  /** Collapsed by default (long per-image tables). */
  collapsed?: boolean;
}

export interface ImageView {
  label: string;
  src: string;
  width: number;
  height: number;
}

export interface ExampleView {
  title: string;
  images: ImageView[];
}

export interface ConfusionView {
  labels: string[];
  matrix: number[][];
}

export interface RunView {
  name: string;
  dir: string;
  facts: Array<[string, string]>;
  charts: ChartView[];
  summary: TableView | null;
  warnings: string[];
}

export interface SectionView {
  title: string;
  source: string;
  runs: RunView[];
  tables: TableView[];
  examples: ExampleView[];
  confusion: ConfusionView | null;
  notes: string[];
}

export interface PageView {
  title: string;
  sections: SectionView[];
}
