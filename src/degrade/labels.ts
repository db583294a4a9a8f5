/**
 * The frozen class labels (ids 1..19 in the paper's table order). `labels.json` next to this file is the
 * artefact shipped with weights; this table mirrors it for code (tsc does not copy JSON), and a test keeps the
 * two identical. Never renumber: checkpoints store these ids.
 */
export interface DegradationLabel {
  id: number;
  name: string;
  abbr: string;
  title: string;
}

export const LABELS: readonly DegradationLabel[] = [
  { id: 1, name: 'noise', abbr: 'GN', title: 'Gaussian, Poisson, salt & pepper noise' },
  { id: 2, name: 'real_noise', abbr: 'RN', title: 'Real noise' },
  { id: 3, name: 'motion_blur', abbr: 'MB', title: 'Motion blur' },
  { id: 4, name: 'defocus_blur', abbr: 'DB', title: 'Defocus blur' },
  { id: 5, name: 'gaussian_blur', abbr: 'GB', title: 'Gaussian & sinc blur' },
  { id: 6, name: 'jpeg', abbr: 'J', title: 'JPEG compression' },
  { id: 7, name: 'haze', abbr: 'H', title: 'Haze' },
  { id: 8, name: 'rain_streak', abbr: 'RS', title: 'Rain streak' },
  { id: 9, name: 'raindrop', abbr: 'RD', title: 'Raindrop' },
  { id: 10, name: 'rain_streak_drop', abbr: 'RSD', title: 'Rain streak + raindrop' },
  { id: 11, name: 'snow', abbr: 'S', title: 'Snow' },
  { id: 12, name: 'mosaic', abbr: 'MS', title: 'Mosaic' },
  { id: 13, name: 'low_light', abbr: 'LL', title: 'Low-light' },
  { id: 14, name: 'moire', abbr: 'MR', title: 'Moiré' },
  { id: 15, name: 'blur_jpeg', abbr: 'B+J', title: 'Blur + JPEG' },
  { id: 16, name: 'blur_rain', abbr: 'B+R', title: 'Blur + rain' },
  { id: 17, name: 'blur_lowlight_noise', abbr: 'B+LL+N', title: 'Blur + low-light + noise' },
  { id: 18, name: 'lowlight_haze_rain_snow', abbr: 'LL+H+R/S', title: 'Low-light + haze + rain/snow' },
  { id: 19, name: 'realesrgan', abbr: 'D+N+B+J', title: 'Down + noise + blur + JPEG (Real-ESRGAN, scale 1)' },
];
