import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One image file and the class (its folder name) it belongs to. */
export interface LabelledImage {
  readonly path: string;
  readonly label: string;
}

/** The images of a labelled folder and its classes (sorted), `label` index into `classes`. */
export interface LabelledImageSet {
  readonly root: string;
  readonly classes: readonly string[];
  readonly images: readonly LabelledImage[];
  /** `labels[i]` is the index in `classes` of `images[i]`. */
  readonly labels: Int32Array;
}

const IMAGE_FILE = /\.(jpe?g|png|webp)$/i;

/**
 * Lists `<root>/<class>/*.{jpg,jpeg,png,webp}`, classes and files in sorted order so
 * the result (and everything learned from it) is reproducible. Throws when `root`
 * has fewer than two classes with images: a supervised head needs at least two.
 */
export function listLabelledImages(root: string): LabelledImageSet {
  const classes = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .filter((c) => readdirSync(join(root, c)).some((f) => IMAGE_FILE.test(f)));
  if (classes.length < 2) throw new Error(`${root} must hold at least two class folders with images (<class>/*.jpg), found ${classes.length}`);
  const images: LabelledImage[] = [];
  const labels: number[] = [];
  classes.forEach((label, index) => {
    for (const file of readdirSync(join(root, label)).filter((f) => IMAGE_FILE.test(f)).sort()) {
      images.push({ path: join(root, label, file), label });
      labels.push(index);
    }
  });
  return { root, classes, images, labels: Int32Array.from(labels) };
}
