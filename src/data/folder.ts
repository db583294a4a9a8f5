/** Image folders: listing (optionally recursive) with clear errors for missing or empty folders. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.bmp', '.tif', '.tiff']);

export interface ListOptions {
  recursive?: boolean;
}

/** Sorted image paths under `dir` (sorted so that indices, and thus seeded sampling, are stable). */
export function listImages(dir: string, o: ListOptions = {}): string[] {
  if (!existsSync(dir)) throw new Error(`image folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (o.recursive) walk(p);
      } else if (IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) {
        out.push(p);
      }
    }
  };
  walk(dir);
  if (out.length === 0) {
    throw new Error(`image folder ${dir} has no images (${[...IMAGE_EXTENSIONS].join(', ')}${o.recursive ? '' : '; try recursive'})`);
  }
  return out.sort((a, b) => relative(dir, a).localeCompare(relative(dir, b)));
}
