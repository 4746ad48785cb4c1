/** An image decoded and resized for the model: `width`×`height` RGB, 3 bytes per pixel, row-major. */
export interface PreparedImage {
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Size of the source image after EXIF orientation. */
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

/** How the decoder resizes (from the model manifest). */
export interface ResizeTarget {
  readonly width: number;
  readonly height: number;
  readonly resize: 'stretch' | 'centre-crop';
  readonly interpolation: 'bilinear' | 'nearest' | 'cubic';
}

/**
 * Decodes image bytes (JPEG, PNG, WebP, GIF, TIFF, AVIF...) into sRGB pixels sized for
 * the model: EXIF orientation applied, alpha flattened onto white, grey/CMYK converted
 * to sRGB. Rejects with InvalidInputError (never retriable) for bytes that are not an
 * image (IMAGE_FORMAT_UNSUPPORTED), a corrupt or truncated image (IMAGE_DECODE_FAILED),
 * or more pixels than allowed (IMAGE_PIXELS_OVER_LIMIT; a decompression bomb is
 * refused from its header, before its pixels are decoded). Calls may overlap.
 */
export interface ImageDecoder {
  prepare(bytes: Buffer, target: ResizeTarget): Promise<PreparedImage>;
}
