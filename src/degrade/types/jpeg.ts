/** Type 6 (J): JPEG compression, OpenCV-identical (libjpeg-turbo defaults) through sharp. */
import { defineDegradation } from '../degradation.js';
import { jpegRoundTrip } from '../jpeg.js';

const QUALITIES = [95, 90, 85, 80, 75, 70, 65, 60, 55, 50, 45, 40, 35, 30, 25, 20, 15, 10];

export const jpegType = defineDegradation<{ quality: number }, { quality: number }>({
  name: 'jpeg',
  id: 6,
  levels: QUALITIES.map((quality, rank) => ({ name: `jpeg.q.${quality}`, series: 'q', rank, spec: { quality } })),
  draw: (_rng, spec) => ({ quality: spec.quality }),
  apply: (img, p) => jpegRoundTrip(img, p.quality),
});
