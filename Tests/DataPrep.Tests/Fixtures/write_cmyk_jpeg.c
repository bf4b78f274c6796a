/* Writes a 4-component Adobe JPEG (CMYK or YCCK) with libjpeg, for make_jpeg_fixtures.py: cjpeg cannot.
 * Usage: write_cmyk_jpeg OUT.jpg WIDTH HEIGHT cmyk|ycck PROGRESSIVE(0|1) [H0xV0,H1xV1,H2xV2,H3xV3] < raw CMYK bytes
 * The raw input holds WIDTH*HEIGHT*4 samples in libjpeg's CMYK convention (Adobe: 255 = no ink). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

int main(int argc, char **argv)
{
  if (argc < 6) { fprintf(stderr, "usage: %s OUT W H cmyk|ycck PROG [sampling]\n", argv[0]); return 2; }
  int w = atoi(argv[2]), h = atoi(argv[3]), ycck = strcmp(argv[4], "ycck") == 0, prog = atoi(argv[5]);
  size_t n = (size_t)w * h * 4;
  unsigned char *raw = malloc(n);
  if (!raw || fread(raw, 1, n, stdin) != n) { fprintf(stderr, "short input\n"); return 1; }
  FILE *out = fopen(argv[1], "wb");
  if (!out) { perror(argv[1]); return 1; }

  struct jpeg_compress_struct c;
  struct jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  jpeg_stdio_dest(&c, out);
  c.image_width = w;
  c.image_height = h;
  c.input_components = 4;
  c.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_set_colorspace(&c, ycck ? JCS_YCCK : JCS_CMYK); /* writes the Adobe APP14 marker, transform 2 or 0 */
  jpeg_set_quality(&c, 85, TRUE);
  if (argc > 6) {
    int f[8];
    if (sscanf(argv[6], "%dx%d,%dx%d,%dx%d,%dx%d", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7]) != 8) return 2;
    for (int i = 0; i < 4; i++) { c.comp_info[i].h_samp_factor = f[2 * i]; c.comp_info[i].v_samp_factor = f[2 * i + 1]; }
  }
  if (prog) jpeg_simple_progression(&c);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = raw + (size_t)c.next_scanline * w * 4;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  fclose(out);
  free(raw);
  return 0;
}
