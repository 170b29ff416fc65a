// The wide-character API needs these before curses.h: SwiftPM drops pkg-config's -D flags.
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <stdio.h>
#include <ncursesw/curses.h>

// Swift 6 rejects mutable C globals and does not import function-like macros, so TrowelTerminal
// reads them through these accessors (the pattern swift-numerics uses for its C shims).

static inline WINDOW *trowel_stdscr(void) { return stdscr; }
static inline int trowel_lines(void) { return LINES; }
static inline int trowel_cols(void) { return COLS; }
static inline int trowel_colors(void) { return COLORS; }
static inline int trowel_color_pairs(void) { return COLOR_PAIRS; }
static inline int trowel_escdelay(void) { return ESCDELAY; }

static inline attr_t trowel_attr_bold(void) { return A_BOLD; }
static inline attr_t trowel_attr_normal(void) { return A_NORMAL; }

static inline int trowel_key_code_yes(void) { return KEY_CODE_YES; }
static inline int trowel_key_f(int n) { return KEY_F(n); }
static inline int trowel_key_resize(void) { return KEY_RESIZE; }
static inline int trowel_key_mouse(void) { return KEY_MOUSE; }

/// Sets a cell with an extended colour pair: COLOR_PAIR() holds 8 bits, the `opts` int does not.
static inline int trowel_setcchar(cchar_t *cell, const wchar_t *text, attr_t attrs, int pair) {
    return setcchar(cell, text, attrs, 0, &pair);
}

/// Opens a read or write stdio stream on a descriptor (fdopen is not in Swift's Glibc overlay
/// under strict concurrency everywhere; this keeps the call sites plain).
static inline FILE *trowel_fdopen(int fd, const char *mode) { return fdopen(fd, mode); }
