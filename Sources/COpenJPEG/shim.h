#include <openjpeg.h>

/* Asks the decoder to fail on truncated codestreams instead of returning partly decoded tiles.
   opj_decoder_set_strict_mode exists from openjpeg 2.5 (Debian 12, Homebrew); with an older
   library this returns 0 and openjpeg's own checks are all that catch a truncated file. */
static inline OPJ_BOOL trowel_opj_set_strict_mode(opj_codec_t *codec) {
#if OPJ_VERSION_MAJOR > 2 || (OPJ_VERSION_MAJOR == 2 && OPJ_VERSION_MINOR >= 5)
    return opj_decoder_set_strict_mode(codec, OPJ_TRUE);
#else
    (void)codec;
    return OPJ_FALSE;
#endif
}
