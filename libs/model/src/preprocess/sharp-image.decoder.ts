import sharp, { type SharpOptions } from 'sharp';
import { InvalidInputError } from '@stylestream/errors';
import type { ImageDecoder, PreparedImage, ResizeTarget } from './image-decoder.port';

export const DECODE_CODES = {
  unsupported: 'IMAGE_FORMAT_UNSUPPORTED',
  corrupt: 'IMAGE_DECODE_FAILED',
  tooManyPixels: 'IMAGE_PIXELS_OVER_LIMIT',
} as const;

const KERNELS = { bilinear: sharp.kernel.linear, nearest: sharp.kernel.nearest, cubic: sharp.kernel.cubic } as const;

/**
 * ImageDecoder over sharp (libvips). `maxPixels` bounds width×height of the source;
 * `failOn: 'warning'` makes truncated or damaged data an error instead of grey pixels.
 */
export class SharpImageDecoder implements ImageDecoder {
  constructor(private readonly maxPixels: number) {}

  async prepare(bytes: Buffer, target: ResizeTarget): Promise<PreparedImage> {
    const options: SharpOptions = { limitInputPixels: this.maxPixels, failOn: 'warning', autoOrient: true };
    try {
      const meta = await sharp(bytes, options).metadata();
      const sourceWidth = meta.autoOrient?.width ?? meta.width;
      const sourceHeight = meta.autoOrient?.height ?? meta.height;
      if (sourceWidth * sourceHeight > this.maxPixels) {
        throw new InvalidInputError(`image is ${sourceWidth}×${sourceHeight}, over the ${this.maxPixels}-pixel limit`, DECODE_CODES.tooManyPixels);
      }
      const { data, info } = await sharp(bytes, options)
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .resize(target.width, target.height, { fit: target.resize === 'stretch' ? 'fill' : 'cover', position: 'centre', kernel: KERNELS[target.interpolation] })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3 || info.width !== target.width || info.height !== target.height) {
        throw new InvalidInputError(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${target.width}×${target.height}×3`, DECODE_CODES.corrupt);
      }
      return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, sourceWidth, sourceHeight };
    } catch (err) {
      throw asDecodeError(err);
    }
  }
}

/** Maps sharp/libvips failures to InvalidInputError codes by their (stable) message prefixes. */
export function asDecodeError(err: unknown): InvalidInputError {
  if (err instanceof InvalidInputError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) return new InvalidInputError(`image over the pixel limit: ${message}`, DECODE_CODES.tooManyPixels, err);
  if (/unsupported image format|empty/i.test(message)) return new InvalidInputError(`not a supported image: ${message}`, DECODE_CODES.unsupported, err);
  return new InvalidInputError(`image cannot be decoded: ${message}`, DECODE_CODES.corrupt, err);
}
