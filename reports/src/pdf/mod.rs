//! PDF documents for households and village notice boards, drawn with printpdf on A4 in Noto Sans
//! SC. The font is embedded in the binary, parsed once per process and subset into each document,
//! so nothing is read from the host at run time.
//!
//! Layout works in millimetres from the top-left corner of the page; [`Canvas`] converts to PDF
//! points from the bottom-left.

mod notice;
mod performance;
mod statement;

use std::ops::Range;
use std::sync::OnceLock;

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem, TextMatrix,
};

pub use crate::performance::{Performance, PerformanceItem, TownshipRate};
pub use notice::{Notice, NoticeLine, notice_pdf};
pub use performance::performance_pdf;
pub use statement::{Statement, StatementAsset, statement_pdf, statements_pdf};

/// Noto Sans SC Regular 2.004 (SIL OFL 1.1, see `fonts/OFL.txt`).
const FONT_BYTES: &[u8] = include_bytes!("../../fonts/NotoSansSC-Regular.otf");
const PT_PER_MM: f32 = 72.0 / 25.4;
/// Height of the glyphs' visual centre above the baseline, in ems (for centring text in a row).
const MIDLINE_EM: f32 = 0.36;
/// Text in a [`Canvas::text_wrapped`] cell shrinks to this share of its size at most, then wraps.
const MIN_SCALE: f32 = 0.75;

/// Shown for a date or reference that is not there (yet).
const NONE: &str = "—";
/// A4 portrait width × height in millimetres.
const A4_PORTRAIT: (f32, f32) = (210.0, 297.0);
/// A4 landscape width × height in millimetres.
const A4_LANDSCAPE: (f32, f32) = (297.0, 210.0);

/// The embedded font, parsed on first use and shared by every document after that.
fn font() -> &'static ParsedFont {
    static FONT: OnceLock<ParsedFont> = OnceLock::new();
    FONT.get_or_init(|| {
        ParsedFont::from_bytes(FONT_BYTES, 0, &mut Vec::new()).expect("the embedded Noto Sans SC parses")
    })
}

/// Width of `text` in millimetres at `size` points.
fn text_width(text: &str, size: f32) -> f32 {
    let font = font();
    let units: u32 = text
        .chars()
        .map(|c| {
            let gid = font.lookup_glyph_index(u32::from(c)).unwrap_or(0);
            u32::from(font.get_horizontal_advance(gid))
        })
        .sum();
    units as f32 * size / f32::from(font.font_metrics.units_per_em) / PT_PER_MM
}

/// `text` broken into lines no wider than `max_width` millimetres at `size` points. Lines break
/// between any two CJK characters and at spaces, but not inside a run of Latin letters or digits
/// (unless the run alone is too wide), and never before closing punctuation. Explicit newlines
/// are kept; a line's leading spaces are dropped.
fn wrap(text: &str, size: f32, max_width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for token in wrap_tokens(paragraph) {
            let candidate = format!("{line}{token}");
            if line.is_empty() || text_width(&candidate, size) <= max_width {
                line = candidate;
            } else {
                lines.push(line.trim_end().to_owned());
                line = token.trim_start().to_owned();
            }
            // A single run wider than the line is cut where it must be.
            while text_width(&line, size) > max_width && line.chars().count() > 1 {
                let mut head = String::new();
                let mut rest = line.chars();
                for c in rest.by_ref() {
                    head.push(c);
                    if head.chars().count() > 1 && text_width(&head, size) > max_width {
                        head.pop();
                        lines.push(std::mem::take(&mut head));
                        head.push(c);
                        break;
                    }
                }
                line = head + rest.as_str();
            }
        }
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// The unbreakable pieces of a line: a CJK character, a run of other non-space characters, or
/// spaces; closing punctuation sticks to what is before it.
fn wrap_tokens(text: &str) -> Vec<String> {
    const CLOSING: &str = "，。、；：？！）》」』】,.;:?!)%‰";
    let mut tokens: Vec<String> = Vec::new();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        let joins = match (tokens.last(), previous) {
            (Some(_), Some(p)) => {
                CLOSING.contains(c)
                    || (c.is_whitespace() && p.is_whitespace())
                    || (!c.is_whitespace() && !p.is_whitespace() && c.is_ascii() && p.is_ascii())
            }
            _ => false,
        };
        match tokens.last_mut() {
            Some(last) if joins => last.push(c),
            _ => tokens.push(c.to_string()),
        }
        previous = Some(c);
    }
    tokens
}

/// Splits `rows` table rows into pages, in order. `capacity(page, last)` is how many rows fit on
/// the table's `page`-th page (from 0), `last` telling whether that page must also keep room for
/// what closes the table; it may be negative when not even that fits. A page that is not the
/// last leaves at least one row for the last, so what closes the table never stands alone.
/// Always at least one page.
fn paginate(rows: usize, capacity: impl Fn(usize, bool) -> isize) -> Vec<Range<usize>> {
    let mut pages = Vec::new();
    let mut start = 0;
    loop {
        let remaining = rows - start;
        let fits = |n: usize, cap: isize| isize::try_from(n).is_ok_and(|n| n <= cap);
        if fits(remaining, capacity(pages.len(), true)) {
            pages.push(start..rows);
            return pages;
        }
        let full = usize::try_from(capacity(pages.len(), false)).unwrap_or(0);
        let mut take = full.min(remaining.saturating_sub(1));
        if take == 0 && !pages.is_empty() && remaining > 0 {
            // A page with room for nothing after the first: go on rather than loop for ever.
            take = full.clamp(1, remaining);
        }
        pages.push(start..start + take);
        start += take;
        assert!(pages.len() <= rows + 2, "a page has no room for a table row");
    }
}

/// Serialises `pages` into one document with the font subset to the glyphs used.
fn save(title: &str, pages: impl FnOnce(&FontId) -> Vec<PdfPage>) -> Vec<u8> {
    let mut doc = PdfDocument::new(title);
    let font_id = doc.add_font(font());
    let pages = pages(&font_id);
    let options = PdfSaveOptions {
        subset_fonts: true,
        ..PdfSaveOptions::default()
    };
    doc.with_pages(pages).save(&options, &mut Vec::new())
}

/// Horizontal alignment of text on an anchor: its left end, centre or right end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
    Right,
}

impl Align {
    /// How far left of the anchor text of `width` starts.
    fn offset(self, width: f32) -> f32 {
        match self {
            Align::Left => 0.0,
            Align::Center => width / 2.0,
            Align::Right => width,
        }
    }
}

/// One page being drawn: rules and fills first, then all text in a single text section.
struct Canvas {
    font: PdfFontHandle,
    height: f32,
    width: f32,
    graphics: Vec<Op>,
    text: Vec<Op>,
    size: f32,
}

impl Canvas {
    fn new(font: &FontId, (width, height): (f32, f32)) -> Self {
        Self {
            font: PdfFontHandle::External(font.clone()),
            width,
            height,
            graphics: vec![Op::SetOutlineThickness { pt: Pt(0.6) }],
            text: vec![Op::SetFillColor { col: grey(0.0) }],
            size: 0.0,
        }
    }

    fn point(&self, x: f32, y: f32) -> Point {
        Point {
            x: Pt(x * PT_PER_MM),
            y: Pt((self.height - y) * PT_PER_MM),
        }
    }

    /// Text with its left end at `x` and its baseline at `y`.
    fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        if size != self.size {
            self.size = size;
            self.text.push(Op::SetFont {
                font: self.font.clone(),
                size: Pt(size),
            });
        }
        let p = self.point(x, y);
        self.text.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(p.x, p.y),
        });
        self.text.push(Op::ShowText {
            items: vec![TextItem::Text(text.to_owned())],
        });
    }

    /// Text aligned on `x` (its left end, centre or right end) with its baseline at `y`.
    fn text_aligned(&mut self, align: Align, x: f32, y: f32, size: f32, text: &str) {
        self.text(x - align.offset(text_width(text, size)), y, size, text);
    }

    /// Text aligned on `x` and vertically centred in `band`, shrunk if it is wider than `max_width`.
    fn text_fitted(&mut self, align: Align, x: f32, band: Band, size: f32, max_width: f32, text: &str) {
        let natural = text_width(text, size);
        let (size, width) = if natural > max_width {
            (size * max_width / natural, max_width)
        } else {
            (size, natural)
        };
        let baseline = band.top + band.height / 2.0 + size * MIDLINE_EM / PT_PER_MM;
        self.text(x - align.offset(width), baseline, size, text);
    }

    /// Like [`Canvas::text_fitted`], but text that would have to shrink below [`MIN_SCALE`] of
    /// `size` goes on two lines of the band instead, both shrunk alike if they must.
    fn text_wrapped(&mut self, align: Align, x: f32, band: Band, size: f32, max_width: f32, text: &str) {
        if text_width(text, size) * MIN_SCALE <= max_width {
            self.text_fitted(align, x, band, size, max_width, text);
            return;
        }
        // Two lines that fit the band's height, broken where they are about even.
        let text = text.replace('\n', " ");
        let size = (size * 0.85).min(band.height * PT_PER_MM / 2.3);
        let mut width = (text_width(&text, size) / 2.0).max(1.0);
        let lines = loop {
            let lines = wrap(&text, size, width);
            if lines.len() <= 2 {
                break lines;
            }
            width *= 1.05;
        };
        let widest = lines.iter().map(|l| text_width(l, size)).fold(0.0, f32::max);
        let size = if widest > max_width {
            size * max_width / widest
        } else {
            size
        };
        let half = band.height / 2.0;
        for (i, line) in lines.iter().enumerate() {
            let line_band = Band::new(band.top + i as f32 * half + if i == 0 { 0.3 } else { -0.3 }, half);
            self.text_fitted(align, x, line_band, size, max_width, line);
        }
    }

    fn line(&mut self, (x1, y1): (f32, f32), (x2, y2): (f32, f32)) {
        let points = [self.point(x1, y1), self.point(x2, y2)]
            .into_iter()
            .map(|p| LinePoint { p, bezier: false })
            .collect();
        self.graphics.push(Op::DrawLine {
            line: Line {
                points,
                is_closed: false,
            },
        });
    }

    fn rect(&mut self, x: f32, band: Band, width: f32, mode: PaintMode) {
        let lower_left = self.point(x, band.bottom());
        self.graphics.push(Op::DrawRectangle {
            rectangle: Rect {
                mode: Some(mode),
                ..Rect::from_xywh(
                    lower_left.x,
                    lower_left.y,
                    Pt(width * PT_PER_MM),
                    Pt(band.height * PT_PER_MM),
                )
            },
        });
    }

    /// A light grey band behind a table header.
    fn shade(&mut self, x: f32, band: Band, width: f32) {
        self.fill(x, band, width, grey(0.9));
    }

    /// A rectangle filled with `colour`.
    fn fill(&mut self, x: f32, band: Band, width: f32, colour: Color) {
        self.graphics.push(Op::SetFillColor { col: colour });
        self.rect(x, band, width, PaintMode::Fill);
    }

    /// Draws the rules of `draw` in `colour` and `thickness` points, then goes back to the
    /// page's black 0.6 pt rules.
    fn with_rules(&mut self, colour: Color, thickness: f32, draw: impl FnOnce(&mut Self)) {
        self.graphics.push(Op::SaveGraphicsState);
        self.graphics.push(Op::SetOutlineColor { col: colour });
        self.graphics.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        draw(self);
        self.graphics.push(Op::RestoreGraphicsState);
    }

    fn into_page(self) -> PdfPage {
        let mut ops = self.graphics;
        ops.push(Op::StartTextSection);
        ops.extend(self.text);
        ops.push(Op::EndTextSection);
        PdfPage::new(Mm(self.width), Mm(self.height), ops)
    }
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale::new(level, None))
}

/// A colour from its red, green and blue in 0..=255.
fn rgb(r: u8, g: u8, b: u8) -> Color {
    let unit = |v: u8| f32::from(v) / 255.0;
    Color::Rgb(Rgb::new(unit(r), unit(g), unit(b), None))
}

/// A horizontal strip of the page: its top and height in millimetres.
#[derive(Debug, Clone, Copy)]
struct Band {
    top: f32,
    height: f32,
}

impl Band {
    fn new(top: f32, height: f32) -> Self {
        Self { top, height }
    }

    fn bottom(self) -> f32 {
        self.top + self.height
    }
}

/// Column geometry of a ruled table.
struct Table<'a> {
    left: f32,
    widths: &'a [f32],
    aligns: &'a [Align],
}

/// Padding between a cell's rule and its text, in millimetres.
const CELL_PAD: f32 = 1.6;

impl Table<'_> {
    fn width(&self) -> f32 {
        self.widths.iter().sum()
    }

    /// A ruled row; text too wide for its cell is shrunk to fit.
    fn row(&self, page: &mut Canvas, band: Band, size: f32, cells: &[impl AsRef<str>]) {
        self.draw(page, band, size, cells, false, false);
    }

    /// A ruled row; text much too wide for its cell goes on two lines (see [`Canvas::text_wrapped`]).
    fn wrapping_row(&self, page: &mut Canvas, band: Band, size: f32, cells: &[impl AsRef<str>]) {
        self.draw(page, band, size, cells, false, true);
    }

    /// A shaded row of centred column titles.
    fn header(&self, page: &mut Canvas, band: Band, size: f32, titles: &[&str]) {
        page.shade(self.left, band, self.width());
        self.draw(page, band, size, titles, true, false);
    }

    fn draw(&self, page: &mut Canvas, band: Band, size: f32, cells: &[impl AsRef<str>], centred: bool, wraps: bool) {
        page.rect(self.left, band, self.width(), PaintMode::Stroke);
        let mut x = self.left;
        for (i, (&width, text)) in self.widths.iter().zip(cells).enumerate() {
            if i > 0 {
                page.line((x, band.top), (x, band.bottom()));
            }
            let align = if centred { Align::Center } else { self.aligns[i] };
            let anchor = match align {
                Align::Left => x + CELL_PAD,
                Align::Center => x + width / 2.0,
                Align::Right => x + width - CELL_PAD,
            };
            if wraps {
                page.text_wrapped(align, anchor, band, size, width - 2.0 * CELL_PAD, text.as_ref());
            } else {
                page.text_fitted(align, anchor, band, size, width - 2.0 * CELL_PAD, text.as_ref());
            }
            x += width;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_has_the_rare_characters_of_names() {
        let missing: String = "堃赟喆昇䶮㛃龑犇淼燚鑫垚"
            .chars()
            .filter(|&c| font().lookup_glyph_index(u32::from(c)).is_none_or(|gid| gid == 0))
            .collect();
        assert_eq!(missing, "", "glyphs missing from Noto Sans SC");
    }

    #[test]
    fn wrapping_keeps_every_character_and_fits_the_width() {
        let text = "年度项目收益 1,234,567.89 元，受益脱贫人口人均 356.20 元；光伏电站等效利用小时数 1180.5 小时，较上年提高。";
        for width in [20.0, 45.0, 80.0, 400.0] {
            let lines = wrap(text, 10.0, width);
            assert!(
                lines.iter().all(|l| text_width(l, 10.0) <= width + 1e-3),
                "{width}: {lines:?}"
            );
            let joined: String = lines.concat();
            assert_eq!(joined.replace(' ', ""), text.replace(' ', ""), "{width}");
            assert!(
                lines.iter().all(|l| !l.starts_with('，') && !l.starts_with('。')),
                "{lines:?}"
            );
            // Numbers are not cut where a line can hold them.
            if width > text_width("1,234,567.89", 10.0) {
                assert!(lines.iter().any(|l| l.contains("1,234,567.89")), "{width}: {lines:?}");
            }
        }
        assert_eq!(wrap("", 10.0, 50.0), [""]);
        assert_eq!(wrap("一\n二", 10.0, 50.0), ["一", "二"]);
        // A run wider than the line is cut.
        let long = "A".repeat(100);
        let lines = wrap(&long, 10.0, 30.0);
        assert!(lines.len() > 1 && lines.concat() == long, "{lines:?}");
    }

    #[test]
    fn paginate_fills_pages_and_leaves_a_row_for_the_last() {
        let sizes = |rows, capacity: &dyn Fn(usize, bool) -> isize| -> Vec<usize> {
            paginate(rows, capacity).iter().map(ExactSizeIterator::len).collect()
        };
        // 10 rows a page, 7 on the last.
        let even = |_: usize, last: bool| if last { 7 } else { 10 };
        assert_eq!(sizes(0, &even), [0]);
        assert_eq!(sizes(7, &even), [7]);
        assert_eq!(sizes(8, &even), [7, 1]);
        assert_eq!(sizes(11, &even), [10, 1]);
        assert_eq!(sizes(25, &even), [10, 10, 5]);
        // No room on the first page at all: the table starts on the second.
        let late = |page: usize, last: bool| match (page, last) {
            (0, true) => -1,
            (0, false) => 0,
            (_, true) => 7,
            _ => 10,
        };
        assert_eq!(sizes(0, &late), [0, 0]);
        assert_eq!(sizes(5, &late), [0, 5]);
        assert_eq!(sizes(15, &late), [0, 10, 5]);
    }

    #[test]
    fn text_width_grows_with_size_and_length() {
        let one = text_width("1,234.56", 10.0);
        assert!(one > 10.0 && one < 20.0, "{one} mm");
        assert!((text_width("1,234.56", 20.0) - 2.0 * one).abs() < 1e-3);
        // A CJK ideograph is one em wide: 10 pt ≈ 3.53 mm.
        assert!((text_width("户", 10.0) - 10.0 / PT_PER_MM).abs() < 0.05);
    }
}
