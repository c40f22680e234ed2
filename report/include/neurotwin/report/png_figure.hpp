#pragma once
#include <string>

namespace neurotwin {

// Throws InputError naming the missing Debian package when PLplot has no
// pngcairo driver.
void require_png_driver();

// One PNG page drawn with PLplot's pngcairo driver; the file is written when
// the page ends (destruction). Colour map 0: 0 white, 1 black (axes, text,
// truth), 2 red (excitatory, prediction), 3 blue (inhibitory), 4 orange, 5
// grey, 6 green, 7 purple, 8 light grey, 9 brown, 10 pink, 11 teal.
// One page at a time (PLplot's state is global).
class PngFigure {
 public:
  PngFigure(const std::string& path, int width_px, int height_px);
  ~PngFigure();
  PngFigure(const PngFigure&) = delete;
  PngFigure& operator=(const PngFigure&) = delete;

  // Colour index for series i of a figure.
  static int series_colour(std::size_t i);  // cycles through the 8 saturated colours
};

}  // namespace neurotwin
