// The image writers moved to src/cli/synthetic-images.ts (the CLI's --generate uses them); tests keep importing them from here.
export { solidJpeg, solidPng, writeTree } from '../src/cli/synthetic-images';
