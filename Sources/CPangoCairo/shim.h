// Pango on cairo, and cairo's PDF surface: what the pdf export renders with.
#include <pango/pangocairo.h>
#include <cairo/cairo-pdf.h>
