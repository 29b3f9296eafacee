#include "CImageCheck.h"

#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

/* Ancillary PNG chunks (ICC profiles, text) are held in memory while read: at most this much each. */
#define PNG_CHUNK_BYTES_MAX (8u * 1024u * 1024u)

static int too_many_pixels(uint64_t width, uint64_t height, uint64_t max_pixels) {
    return width > ATELIER_IMAGE_MAX_SIDE || height > ATELIER_IMAGE_MAX_SIDE || width * height > max_pixels;
}

static int read_failure(FILE *file) {
    return ferror(file) ? ATELIER_IMAGE_IO : ATELIER_IMAGE_CORRUPT;
}

/* ---- PNG ---- */

static void png_fail(png_structp png, png_const_charp message) {
    (void)message;
    png_longjmp(png, 1);
}

/* Plain warnings concern ancillary chunks (a dubious ICC profile, a bad text keyword) and are
   ignored; what concerns the image data is turned into an error below. */
static void png_ignore(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static uint32_t be32(const unsigned char *bytes) {
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | (uint32_t)bytes[3];
}

static int verify_png(FILE *file, uint64_t max_pixels, uint32_t *width, uint32_t *height) {
    /* The size is read from IHDR by hand first, so that a refusal names it and costs nothing. */
    unsigned char head[24];
    if (fread(head, 1, sizeof head, file) != sizeof head) return read_failure(file);
    if (png_sig_cmp(head, 0, 8) != 0 || be32(head + 8) != 13 || memcmp(head + 12, "IHDR", 4) != 0) return ATELIER_IMAGE_CORRUPT;
    uint32_t w = be32(head + 16), h = be32(head + 20);
    if (w == 0 || h == 0) return ATELIER_IMAGE_CORRUPT;
    *width = w;
    *height = h;
    if (too_many_pixels(w, h, max_pixels)) return ATELIER_IMAGE_TOO_MANY_PIXELS;
    if (fseek(file, 0, SEEK_SET) != 0) return ATELIER_IMAGE_IO;

    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_fail, png_ignore);
    if (png == NULL) return ATELIER_IMAGE_UNAVAILABLE;
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        return ATELIER_IMAGE_UNAVAILABLE;
    }
    unsigned char *volatile row = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(row);
        png_destroy_read_struct(&png, &info, NULL);
        return read_failure(file);
    }

    /* libpng's own limits, in case IHDR were read differently from the check above. */
    uint64_t side = max_pixels < ATELIER_IMAGE_MAX_SIDE ? max_pixels : ATELIER_IMAGE_MAX_SIDE;
    png_set_user_limits(png, (png_uint_32)side, (png_uint_32)side);
    png_set_chunk_malloc_max(png, PNG_CHUNK_BYTES_MAX);
    /* A CRC mismatch in any chunk, critical or ancillary, ends the decode. */
    png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
#ifdef PNG_CHECK_FOR_INVALID_INDEX_SUPPORTED
    png_set_check_for_invalid_index(png, 1);
#endif
    png_init_io(png, file);
    png_read_info(png, info);
    if (png_get_image_width(png, info) != w || png_get_image_height(png, info) != h) png_error(png, "size changed");

    /* From the image data on, "benign" errors are errors: too much or too little compressed data,
       a wrong Adler-32, palette indexes past the palette. */
    png_set_benign_errors(png, 0);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    row = malloc(row_bytes > 0 ? row_bytes : 1);
    if (row == NULL) png_error(png, "out of memory");
    for (int pass = 0; pass < passes; pass++) {
        for (uint32_t y = 0; y < h; y++) png_read_row(png, row, NULL);
    }
    png_read_end(png, info);

    free(row);
    png_destroy_read_struct(&png, &info, NULL);
    return ATELIER_IMAGE_OK;
}

/* ---- JPEG ---- */

struct jpeg_failure {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
};

static void jpeg_fail(j_common_ptr cinfo) {
    longjmp(((struct jpeg_failure *)cinfo->err)->jump, 1);
}

/* Level -1 is a warning: corrupt data, a premature end, extraneous bytes. All of them fail. */
static void jpeg_message(j_common_ptr cinfo, int level) {
    if (level < 0) jpeg_fail(cinfo);
}

static void jpeg_silent(j_common_ptr cinfo) {
    (void)cinfo;
}

static void jpeg_count_scans(j_common_ptr cinfo) {
    if (cinfo->is_decompressor && ((j_decompress_ptr)cinfo)->input_scan_number > ATELIER_IMAGE_MAX_JPEG_SCANS) jpeg_fail(cinfo);
}

static int verify_jpeg(FILE *file, uint64_t max_pixels, uint32_t *width, uint32_t *height) {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_failure failure;
    struct jpeg_progress_mgr progress = {0};
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_fail;
    failure.manager.emit_message = jpeg_message;
    failure.manager.output_message = jpeg_silent;
    progress.progress_monitor = jpeg_count_scans;
    if (setjmp(failure.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return read_failure(file);
    }
    jpeg_create_decompress(&cinfo);
    cinfo.progress = &progress;
    jpeg_stdio_src(&cinfo, file);

    /* Reading the header also applies libjpeg's own dimension check (JPEG_MAX_DIMENSION). */
    if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK || cinfo.num_components > 4) {
        jpeg_destroy_decompress(&cinfo);
        return ATELIER_IMAGE_CORRUPT;
    }
    *width = cinfo.image_width;
    *height = cinfo.image_height;
    if (too_many_pixels(cinfo.image_width, cinfo.image_height, max_pixels)) {
        jpeg_destroy_decompress(&cinfo);
        return ATELIER_IMAGE_TOO_MANY_PIXELS;
    }

    /* Every coefficient is still entropy-decoded; only the inverse DCT and colour work shrink. */
    cinfo.scale_num = 1;
    cinfo.scale_denom = 8;
    cinfo.dct_method = JDCT_IFAST;
    cinfo.do_fancy_upsampling = FALSE;
    cinfo.do_block_smoothing = FALSE;
    jpeg_start_decompress(&cinfo);
    JSAMPARRAY row = (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE,
                                                 cinfo.output_width * (JDIMENSION)cinfo.output_components, 1);
    while (cinfo.output_scanline < cinfo.output_height) {
        if (jpeg_read_scanlines(&cinfo, row, 1) != 1) jpeg_fail((j_common_ptr)&cinfo);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return ATELIER_IMAGE_OK;
}

/* ---- WebP, through the runtime library alone (no headers are needed) ---- */

#ifdef __APPLE__
#define WEBP_LIBRARY "libwebp.7.dylib"
#else
#define WEBP_LIBRARY "libwebp.so.7"
#endif

typedef int (*webp_get_info_fn)(const uint8_t *data, size_t size, int *width, int *height);
typedef uint8_t *(*webp_decode_rgba_fn)(const uint8_t *data, size_t size, int *width, int *height);
typedef void (*webp_free_fn)(void *pointer);

static struct {
    webp_get_info_fn get_info;
    webp_decode_rgba_fn decode_rgba;
    webp_free_fn free;
} webp;
static pthread_once_t webp_loading = PTHREAD_ONCE_INIT;
/* A WebP decode holds width * height * 4 bytes: one at a time keeps the peak at one image. */
static pthread_mutex_t webp_decoding = PTHREAD_MUTEX_INITIALIZER;

static void webp_load(void) {
    void *library = dlopen(WEBP_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return;
    webp_get_info_fn get_info = (webp_get_info_fn)dlsym(library, "WebPGetInfo");
    webp_decode_rgba_fn decode_rgba = (webp_decode_rgba_fn)dlsym(library, "WebPDecodeRGBA");
    webp_free_fn free_pixels = (webp_free_fn)dlsym(library, "WebPFree");
    if (get_info == NULL || decode_rgba == NULL || free_pixels == NULL) {
        dlclose(library);
        return;
    }
    webp.get_info = get_info;
    webp.decode_rgba = decode_rgba;
    webp.free = free_pixels;
}

static int verify_webp(FILE *file, uint64_t max_pixels, uint32_t *width, uint32_t *height) {
    if (pthread_once(&webp_loading, webp_load) != 0 || webp.decode_rgba == NULL) return ATELIER_IMAGE_UNAVAILABLE;

    /* Read whole: the upload byte limit bounds the file. */
    if (fseek(file, 0, SEEK_END) != 0) return ATELIER_IMAGE_IO;
    long end = ftell(file);
    if (end < 0 || fseek(file, 0, SEEK_SET) != 0) return ATELIER_IMAGE_IO;
    if (end == 0) return ATELIER_IMAGE_CORRUPT;
    size_t size = (size_t)end;
    uint8_t *data = malloc(size);
    if (data == NULL) return ATELIER_IMAGE_UNAVAILABLE;
    if (fread(data, 1, size, file) != size) {
        free(data);
        return read_failure(file);
    }

    int w = 0, h = 0;
    if (!webp.get_info(data, size, &w, &h) || w <= 0 || h <= 0) {
        free(data);
        return ATELIER_IMAGE_CORRUPT;
    }
    *width = (uint32_t)w;
    *height = (uint32_t)h;
    if (too_many_pixels((uint64_t)w, (uint64_t)h, max_pixels)) {
        free(data);
        return ATELIER_IMAGE_TOO_MANY_PIXELS;
    }

    int decoded_width = 0, decoded_height = 0;
    pthread_mutex_lock(&webp_decoding);
    uint8_t *pixels = webp.decode_rgba(data, size, &decoded_width, &decoded_height);
    if (pixels != NULL) webp.free(pixels);
    pthread_mutex_unlock(&webp_decoding);
    free(data);
    return pixels != NULL && decoded_width == w && decoded_height == h ? ATELIER_IMAGE_OK : ATELIER_IMAGE_CORRUPT;
}

int atelier_image_verify(const char *path, int format, uint64_t max_pixels, uint32_t *width, uint32_t *height) {
    uint32_t w = 0, h = 0;
    if (width != NULL) *width = 0;
    if (height != NULL) *height = 0;
    if (format != ATELIER_IMAGE_FORMAT_PNG && format != ATELIER_IMAGE_FORMAT_JPEG && format != ATELIER_IMAGE_FORMAT_WEBP) {
        return ATELIER_IMAGE_UNAVAILABLE;
    }
    FILE *file = fopen(path, "rb");
    if (file == NULL) return ATELIER_IMAGE_IO;

    int status;
    switch (format) {
    case ATELIER_IMAGE_FORMAT_PNG: status = verify_png(file, max_pixels, &w, &h); break;
    case ATELIER_IMAGE_FORMAT_JPEG: status = verify_jpeg(file, max_pixels, &w, &h); break;
    default: status = verify_webp(file, max_pixels, &w, &h); break;
    }
    fclose(file);

    if (status == ATELIER_IMAGE_OK || status == ATELIER_IMAGE_TOO_MANY_PIXELS) {
        if (width != NULL) *width = w;
        if (height != NULL) *height = h;
    }
    return status;
}
