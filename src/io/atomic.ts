/**
 * Atomic file writes: data goes to a temporary file in the destination folder (same file system, so rename is
 * atomic), is fsynced, then renamed over the target. A crash leaves either the old file or the new one, never a
 * half-written checkpoint or image.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temp path beside `path`; the leading dot keeps it out of globs like `*.png`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes the chunks in order to `path` atomically. */
export async function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  await commitAtomic(path, async (tmp) => {
    const fh = await open(tmp, 'wx');
    try {
      for (const c of chunks) {
        let off = 0;
        while (off < c.byteLength) {
          const { bytesWritten } = await fh.write(c, off, c.byteLength - off);
          off += bytesWritten;
        }
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
  });
}

/**
 * Lets `produce` fill a temp file (e.g. an encoder that writes to a path), fsyncs it and renames it to `path`.
 * The temp file is removed if anything fails.
 */
export async function commitAtomic(path: string, produce: (tmpPath: string) => Promise<void>): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await produce(tmp);
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await syncDir(dirname(path));
}

/** Makes the rename itself durable; not possible on every platform (Windows), so failures are ignored. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // best effort
  }
}
