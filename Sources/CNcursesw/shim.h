// The wide-character API needs these before curses.h: SwiftPM drops pkg-config's -D flags.
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/curses.h>
