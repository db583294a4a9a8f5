/**
 * Cuts the small clean photo set that ships with maskdcpt (assets/photos): 192×192 crops of the Kodak
 * PhotoCD images (Kodak's lossless true-colour suite, released for unrestricted use), so demos and tiny
 * configs run without any dataset download.  Usage: node --import tsx tools/make-demo-photos.ts <kodak24 dir>
 */
import { join } from 'node:path';
import sharp from 'sharp';

const src = process.argv[2] ?? '../shared/data/kodak24';
const out = 'assets/photos';
for (let i = 1; i <= 24; i++) {
  const name = `kodim${String(i).padStart(2, '0')}`;
  const img = sharp(join(src, `${name}.png`));
  const { width = 0, height = 0 } = await img.metadata();
  // A centred crop, downscaled 2× first so each crop holds a whole scene rather than a texture patch.
  const half = await img.resize(Math.round(width / 2), Math.round(height / 2), { kernel: 'lanczos3' }).toBuffer();
  const w = Math.round(width / 2);
  const h = Math.round(height / 2);
  await sharp(half)
    .extract({ left: Math.floor((w - 192) / 2), top: Math.floor((h - 192) / 2), width: 192, height: 192 })
    .png({ compressionLevel: 9 })
    .toFile(join(out, `${name}.png`));
}
console.log('wrote 24 crops to', out);
