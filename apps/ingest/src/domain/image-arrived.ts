/**
 * The `image-arrived` contract comes from @stylestream/schemas; the domain
 * builds values of exactly that type, so the Kafka adapter only encodes.
 */
export {
  IMAGE_SOURCES,
  LABEL_DIMENSIONS,
  emptyLabels,
  type ImageArrived,
  type ImageLabels,
  type ImageSource,
  type LabelDimension,
} from '@stylestream/schemas';
