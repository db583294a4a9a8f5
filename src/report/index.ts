/**
 * `maskdcpt report` as a library: run directories, report JSON and eval JSON → one self-contained HTML page.
 * Rendering only: this floor reads files and builds strings; it never touches tensors or the native addon.
 */
import { writeFileAtomic } from '../io/atomic.js';
import { renderPage } from './html.js';
import { DEFAULT_MAX_IMAGE_WIDTH, ImageEmbedder, loadSection } from './load.js';
import type { ReportInput, ReportSource, SectionView } from './types.js';

export { evalJsonSchema, evalResultSchema, reportJsonSchema } from './types.js';
export type { EvalJson, EvalResultJson, ReportInput, ReportJson, ReportSource } from './types.js';

/** A single source (e.g. the path of a report JSON) is shorthand for `{ sources: [source] }`. */
function normalise(input: ReportInput | ReportSource): ReportInput {
  return typeof input === 'object' && 'sources' in input ? input : { sources: [input] };
}

export async function renderReport(spec: ReportInput | ReportSource): Promise<string> {
  const input = normalise(spec);
  if (input.sources.length === 0) throw new Error('report: nothing to render (give a run directory or a JSON file)');
  const maxWidth = input.maxImageWidth ?? DEFAULT_MAX_IMAGE_WIDTH;
  if (!(Number.isInteger(maxWidth) && maxWidth >= 16))
    throw new Error(`report: maxImageWidth must be an integer ≥ 16, got ${maxWidth}`);
  const images = new ImageEmbedder(maxWidth);
  // In order, so errors name the first bad source and sections keep the order given.
  const sections: SectionView[] = [];
  for (const s of input.sources) sections.push(await loadSection(s, images));
  const title = input.title ?? (sections.length === 1 ? sections[0]!.title : 'maskdcpt report');
  return renderPage({ title, sections });
}

/** Renders and writes atomically (a reader never sees half a page); returns the page's size in bytes. */
export async function writeReport(path: string, input: ReportInput | ReportSource): Promise<number> {
  const bytes = new TextEncoder().encode(await renderReport(input));
  await writeFileAtomic(path, [bytes]);
  return bytes.byteLength;
}
