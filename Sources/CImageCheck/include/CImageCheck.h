#ifndef CIMAGECHECK_H
#define CIMAGECHECK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The formats atelier_image_verify decodes. */
enum {
    ATELIER_IMAGE_FORMAT_PNG = 1,
    ATELIER_IMAGE_FORMAT_JPEG = 2,
    ATELIER_IMAGE_FORMAT_WEBP = 3,
};

/* What atelier_image_verify answers. */
enum {
    /* The file decodes completely as the given format. */
    ATELIER_IMAGE_OK = 0,
    /* Not decodable as that format: bad or truncated data, a CRC or checksum mismatch, or anything
       the decoder only warns about (a warning from libjpeg means corrupt data). */
    ATELIER_IMAGE_CORRUPT = -1,
    /* The header declares more than max_pixels pixels, or a side longer than ATELIER_IMAGE_MAX_SIDE.
       Decided from the header alone, before any pixel is decoded; width and height are set. */
    ATELIER_IMAGE_TOO_MANY_PIXELS = -2,
    /* No decoder for that format here: an unknown format, libwebp could not be loaded, or the
       decoder could not be set up. */
    ATELIER_IMAGE_UNAVAILABLE = -3,
    /* The file could not be opened or read. */
    ATELIER_IMAGE_IO = -4,
};

enum {
    /* A longer side is refused whatever max_pixels allows: it bounds the PNG row buffers. */
    ATELIER_IMAGE_MAX_SIDE = 1000000,
    /* A progressive JPEG with more scans than this is refused as corrupt: each scan costs a pass. */
    ATELIER_IMAGE_MAX_JPEG_SCANS = 500,
};

/*
 * Decodes the image in the file at `path` as `format` (ATELIER_IMAGE_FORMAT_*) to prove it is one,
 * without keeping the decoded image: PNG row by row, JPEG scanline by scanline (at 1/8 scale, all
 * entropy-coded data still read). WebP is read whole and decoded to RGBA (width * height * 4 bytes);
 * WebP decodes are serialized, one at a time in the process. Nothing is ever printed.
 *
 * `width` and `height` (either may be NULL) receive the size from the header when the answer is
 * ATELIER_IMAGE_OK or ATELIER_IMAGE_TOO_MANY_PIXELS, 0 otherwise. Blocking; safe to call from
 * several threads at once.
 */
int atelier_image_verify(const char *path, int format, uint64_t max_pixels, uint32_t *width, uint32_t *height);

#ifdef __cplusplus
}
#endif

#endif
