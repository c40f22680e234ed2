#include "neurotwin/report/png_figure.hpp"

#include <plplot.h>

#include <cstdio>
#include <fstream>
#include <vector>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

namespace {

// PLplot ends the process on its own fatal errors (plexit); say why, and
// exit with the input-error status.
int plplot_exit_handler(const char* message) {
  std::fprintf(stderr, "neurotwin: error: PLplot: %s\n", message ? message : "error");
  return 2;
}

}  // namespace

void require_png_driver() {
  std::vector<const char*> menu(128, nullptr), names(128, nullptr);
  int count = static_cast<int>(names.size());
  const char** menu_ptr = menu.data();
  const char** names_ptr = names.data();
  plgFileDevs(&menu_ptr, &names_ptr, &count);  // fills the caller's arrays
  for (int i = 0; i < count; ++i)
    if (names[static_cast<std::size_t>(i)] && std::string(names[static_cast<std::size_t>(i)]) == "pngcairo") return;
  throw InputError("PLplot has no pngcairo driver (install the Debian package plplot-driver-cairo)");
}

PngFigure::PngFigure(const std::string& path, int width_px, int height_px) {
  {
    std::ofstream probe(path, std::ios::binary | std::ios::trunc);
    if (!probe) throw InputError(path + ": cannot write");
  }
  plsexit(plplot_exit_handler);
  plsdev("pngcairo");
  plsfnam(path.c_str());
  plspage(0, 0, width_px, height_px, 0, 0);
  plscolbg(255, 255, 255);
  plinit();
  plscol0(1, 0, 0, 0);
  plscol0(2, 200, 30, 30);
  plscol0(3, 30, 80, 200);
  plscol0(4, 220, 120, 0);
  plscol0(5, 120, 120, 120);
  plscol0(6, 30, 150, 60);
  plscol0(7, 130, 60, 170);
  plscol0(8, 225, 225, 225);
  plscol0(9, 140, 90, 40);
  plscol0(10, 230, 100, 170);
  plscol0(11, 20, 150, 160);
  pladv(0);
  plschr(0, 0.75);
  plsxax(7, 0);  // up to 7 digits before PLplot switches an axis to "x10^n" scaling
  plsyax(7, 0);
}

PngFigure::~PngFigure() { plend(); }

int PngFigure::series_colour(std::size_t i) {
  static const int saturated[] = {2, 3, 6, 4, 7, 11, 9, 10};
  return saturated[i % 8];
}

}  // namespace neurotwin
