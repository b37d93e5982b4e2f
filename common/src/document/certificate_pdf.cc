// The certificate layout with cairo's PDF surface, written into memory (certificate_pdf.h).
#include "integration/document/certificate_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include <algorithm>
#include <memory>
#include <string_view>

#include "integration/status/status.h"

namespace integration::document {
namespace {

// A4 in PostScript points.
constexpr double kPageWidth = 595.276;
constexpr double kPageHeight = 841.89;
// Text stays inside the inner frame with some air.
constexpr double kTextWidth = kPageWidth - 2 * 64;
constexpr const char* kFontFamily = "DejaVu Sans";

struct Rgb {
  double r, g, b;
};
constexpr Rgb kInk = {0.10, 0.10, 0.12};
constexpr Rgb kAccent = {0.05, 0.25, 0.42};  // a dark blue, close to the county boards' own
constexpr Rgb kMuted = {0.35, 0.35, 0.38};

struct SurfaceDestroy {
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
struct ContextDestroy {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

struct Line {
  std::string_view text;
  double size = 12;  // the preferred size; smaller when the text would not fit
  bool bold = false;
  Rgb color = kInk;
};

// Draws `line` centred on the page with its baseline at `y`, shrinking the font so that the
// text is never wider than kTextWidth.
void DrawCentred(cairo_t* cr, const Line& line, double y) {
  cairo_select_font_face(cr, kFontFamily, CAIRO_FONT_SLANT_NORMAL,
                         line.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  const std::string text(line.text);
  cairo_set_font_size(cr, line.size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  if (extents.width > kTextWidth) {
    // Glyph widths scale linearly with the size; the 0.98 absorbs hinting and rounding.
    cairo_set_font_size(cr, line.size * kTextWidth / extents.width * 0.98);
    cairo_text_extents(cr, text.c_str(), &extents);
  }
  cairo_set_source_rgb(cr, line.color.r, line.color.g, line.color.b);
  cairo_move_to(cr, (kPageWidth - extents.width) / 2 - extents.x_bearing, y);
  cairo_show_text(cr, text.c_str());
}

void DrawFrame(cairo_t* cr) {
  cairo_set_source_rgb(cr, kAccent.r, kAccent.g, kAccent.b);
  cairo_set_line_width(cr, 2.5);
  cairo_rectangle(cr, 30, 30, kPageWidth - 60, kPageHeight - 60);
  cairo_stroke(cr);
  cairo_set_line_width(cr, 0.8);
  cairo_rectangle(cr, 38, 38, kPageWidth - 76, kPageHeight - 76);
  cairo_stroke(cr);
  cairo_set_line_width(cr, 1);
  cairo_move_to(cr, kPageWidth / 2 - 90, 262);
  cairo_line_to(cr, kPageWidth / 2 + 90, 262);
  cairo_stroke(cr);
}

}  // namespace

absl::StatusOr<std::string> RenderCertificatePdf(const CertificatePage& page) {
  std::string pdf;
  std::unique_ptr<cairo_surface_t, SurfaceDestroy> surface(
      cairo_pdf_surface_create_for_stream(AppendToString, &pdf, kPageWidth, kPageHeight));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return status::Internal(std::string("cairo PDF surface: ") +
                            cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, page.pdf_title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_AUTHOR, page.issuer.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, page.creator.c_str());
  {
    std::unique_ptr<cairo_t, ContextDestroy> cr(cairo_create(surface.get()));
    DrawFrame(cr.get());
    DrawCentred(cr.get(), {page.issuer, 15, true, kAccent}, 100);
    DrawCentred(cr.get(), {page.title, 50, true, kAccent}, 200);
    DrawCentred(cr.get(), {page.subtitle, 15, false, kInk}, 240);
    DrawCentred(cr.get(), {page.lead, 13, false, kMuted}, 320);
    DrawCentred(cr.get(), {page.holder, 30, true, kInk}, 372);
    DrawCentred(cr.get(), {page.statement, 13, false, kMuted}, 420);
    // The items share 150 points of height, so a long list gets smaller lines.
    const int items = static_cast<int>(page.items.size());
    const double step = std::min(26.0, 150.0 / std::max(items, 1));
    for (int i = 0; i < items; ++i) {
      DrawCentred(cr.get(), {page.items[i], std::min(17.0, step * 0.75), true, kInk},
                  462 + step * i);
    }
    DrawCentred(cr.get(), {page.issued, 12, false, kInk}, 660);
    if (!page.code.empty()) {
      DrawCentred(cr.get(), {page.code_label, 10, false, kMuted}, 712);
      DrawCentred(cr.get(), {page.code, 17, true, kAccent}, 736);
    }
    DrawCentred(cr.get(), {page.verify, 10, false, kInk}, 762);
    DrawCentred(cr.get(), {page.signed_with, 8, false, kMuted}, 782);
    cairo_show_page(cr.get());
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
      return status::Internal(std::string("cairo drawing: ") +
                              cairo_status_to_string(cairo_status(cr.get())));
    }
  }
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return status::Internal(std::string("cairo PDF output: ") +
                            cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  return pdf;
}

void ReleasePdfFontCaches() {
  cairo_debug_reset_static_data();
  FcFini();
}

}  // namespace integration::document
