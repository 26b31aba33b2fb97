//! A small flow layout: text measured with the embedded font's metrics,
//! word-wrapped, laid out top-down in millimetres, split into pages (A4) or
//! grown to fit (receipt), then turned into printpdf operations.

use std::sync::OnceLock;

use printpdf::{
    Color, FontId, Greyscale, LinePoint, Op, PaintMode, ParsedFont, PdfFontHandle, Point, Polygon,
    PolygonRing, Pt, Rect, TextItem, WindingOrder,
};

use crate::error::{PrintError, Result};

static REGULAR_TTF: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

const PT_PER_MM: f32 = 72.0 / 25.4;

pub(crate) fn mm_to_pt(mm: f32) -> Pt {
    Pt(mm * PT_PER_MM)
}

pub(crate) fn pt_to_mm(pt: f32) -> f32 {
    pt / PT_PER_MM
}

/// The two embedded faces, parsed once per process.
pub(crate) struct Fonts {
    pub regular: ParsedFont,
    pub bold: ParsedFont,
}

pub(crate) fn fonts() -> Result<&'static Fonts> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let regular = ParsedFont::from_bytes(REGULAR_TTF, 0, &mut Vec::new())?;
            let bold = ParsedFont::from_bytes(BOLD_TTF, 0, &mut Vec::new())?;
            Some(Fonts { regular, bold })
        })
        .as_ref()
        .ok_or(PrintError::Font)
}

impl Fonts {
    fn face(&self, bold: bool) -> &ParsedFont {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    /// Advance width of one character in mm at `size` pt (0 for characters
    /// the face lacks: [`Fonts::clean`] replaces those first).
    fn char_width(&self, bold: bool, size: f32, c: char) -> f32 {
        let face = self.face(bold);
        let upem = f32::from(face.font_metrics.units_per_em.max(1));
        let advance = face
            .lookup_glyph_index(c as u32)
            .map(|gid| f32::from(face.get_horizontal_advance(gid)))
            .unwrap_or(0.0);
        pt_to_mm(advance * size / upem)
    }

    pub fn width(&self, bold: bool, size: f32, text: &str) -> f32 {
        text.chars().map(|c| self.char_width(bold, size, c)).sum()
    }

    /// Printable text: tabs become spaces, other control characters go, and
    /// characters the face cannot draw become « ? » (never a blank box).
    pub fn clean(&self, bold: bool, text: &str) -> String {
        let face = self.face(bold);
        text.chars()
            .filter_map(|c| match c {
                '\n' => Some('\n'),
                '\t' => Some(' '),
                c if c.is_control() => None,
                c if face.lookup_glyph_index(c as u32).is_some() => Some(c),
                _ => Some('?'),
            })
            .collect()
    }

    /// Greedy word wrap to `width` mm. Breaks at ASCII spaces and newlines
    /// only (no-break spaces keep « 1 234,56 € » together); a word longer than
    /// the line is cut between characters.
    pub fn wrap(&self, bold: bool, size: f32, width: f32, text: &str) -> Vec<String> {
        let text = self.clean(bold, text);
        let space = self.char_width(bold, size, ' ');
        let mut out = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut line_w = 0.0;
            for word in para.split(' ').filter(|w| !w.is_empty()) {
                let word_w = self.width(bold, size, word);
                let sep = if line.is_empty() { 0.0 } else { space };
                if line_w + sep + word_w <= width {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(word);
                    line_w += sep + word_w;
                    continue;
                }
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                if word_w <= width {
                    line.push_str(word);
                    line_w = word_w;
                } else {
                    for c in word.chars() {
                        let cw = self.char_width(bold, size, c);
                        if line_w + cw > width && !line.is_empty() {
                            out.push(std::mem::take(&mut line));
                            line_w = 0.0;
                        }
                        line.push(c);
                        line_w += cw;
                    }
                }
            }
            out.push(line);
        }
        // Drop trailing blank lines, keep inner ones (paragraph breaks).
        while out.len() > 1 && out.last().is_some_and(|l| l.is_empty()) {
            out.pop();
        }
        out
    }
}

/// Something drawn, positioned from the page's top-left corner in mm.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        bold: bool,
        grey: f32,
        text: String,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        grey: f32,
    },
    Frame {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        thickness: f32,
    },
    /// Black modules of a barcode or QR code: one filled path.
    Modules(Vec<(f32, f32, f32, f32)>),
}

/// Text styles: size in pt.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub size: f32,
    pub bold: bool,
    pub grey: f32,
}

impl Style {
    pub const fn new(size: f32, bold: bool) -> Self {
        Style {
            size,
            bold,
            grey: 0.0,
        }
    }
    pub const fn grey(self, grey: f32) -> Self {
        Style { grey, ..self }
    }
    /// Line height in mm.
    pub fn line_h(self) -> f32 {
        pt_to_mm(self.size * 1.28)
    }
    /// Distance from a line's top to its baseline, in mm.
    fn ascent(self) -> f32 {
        pt_to_mm(self.size * 0.95)
    }
}

/// A top-down flow of items over one or more pages.
pub(crate) struct Canvas {
    pub fonts: &'static Fonts,
    pub page_w: f32,
    /// `None`: one page that grows with its content (receipt).
    pub page_h: Option<f32>,
    pub margin_x: f32,
    pub margin_top: f32,
    pub margin_bottom: f32,
    pub y: f32,
    /// The column text flows in: the page's content width unless narrowed.
    col: Option<(f32, f32)>,
    pages: Vec<Vec<Item>>,
}

impl Canvas {
    pub fn new(
        fonts: &'static Fonts,
        page_w: f32,
        page_h: Option<f32>,
        margin_x: f32,
        margin_top: f32,
        margin_bottom: f32,
    ) -> Self {
        Canvas {
            fonts,
            page_w,
            page_h,
            margin_x,
            margin_top,
            margin_bottom,
            y: margin_top,
            col: None,
            pages: vec![Vec::new()],
        }
    }

    pub fn left(&self) -> f32 {
        self.col.map_or(self.margin_x, |(x, _)| x)
    }

    pub fn content_w(&self) -> f32 {
        self.col
            .map_or(self.page_w - 2.0 * self.margin_x, |(_, w)| w)
    }

    /// Narrows the flow to the column `x .. x + w` (`None`: full width).
    pub fn set_column(&mut self, col: Option<(f32, f32)>) {
        self.col = col;
    }

    pub fn page_left(&self) -> f32 {
        self.margin_x
    }

    pub fn page_content_w(&self) -> f32 {
        self.page_w - 2.0 * self.margin_x
    }

    pub fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.last_mut() {
            page.push(item);
        }
    }

    /// Room left on the current page (infinite on a growing page).
    pub fn room(&self) -> f32 {
        match self.page_h {
            Some(h) => h - self.margin_bottom - self.y,
            None => f32::INFINITY,
        }
    }

    /// Starts a new page unless `h` mm still fit on this one.
    pub fn ensure(&mut self, h: f32) {
        if h > self.room() && self.y > self.margin_top {
            self.pages.push(Vec::new());
            self.y = self.margin_top;
        }
    }

    pub fn gap(&mut self, mm: f32) {
        self.y += mm;
    }

    /// One line of text at `x`, top at the cursor; no wrapping, no advance.
    pub fn text_at(&mut self, x: f32, y_top: f32, style: Style, text: &str) {
        let text = self.fonts.clean(style.bold, text);
        self.push(Item::Text {
            x,
            baseline: y_top + style.ascent(),
            size: style.size,
            bold: style.bold,
            grey: style.grey,
            text,
        });
    }

    pub fn text_width(&self, style: Style, text: &str) -> f32 {
        self.fonts.width(style.bold, style.size, text)
    }

    pub fn wrap(&self, style: Style, width: f32, text: &str) -> Vec<String> {
        self.fonts.wrap(style.bold, style.size, width, text)
    }

    /// Wrapped text in the column `x .. x + width`, line by line: a long text
    /// continues on the next page.
    pub fn paragraph(&mut self, x: f32, width: f32, style: Style, text: &str) {
        for line in self.wrap(style, width, text) {
            self.ensure(style.line_h());
            let y = self.y;
            self.push(Item::Text {
                x,
                baseline: y + style.ascent(),
                size: style.size,
                bold: style.bold,
                grey: style.grey,
                text: line,
            });
            self.y += style.line_h();
        }
    }

    /// « Label  value » with the value wrapped in its own column.
    pub fn field(
        &mut self,
        label_w: f32,
        label: &str,
        value: &str,
        label_style: Style,
        style: Style,
    ) {
        let x = self.left();
        let lines = self.wrap(style, self.content_w() - label_w, value);
        let first = lines.len().min(2) as f32 * style.line_h();
        self.ensure(first);
        self.text_at(x, self.y, label_style, label);
        for line in lines {
            self.ensure(style.line_h());
            let y = self.y;
            self.push(Item::Text {
                x: x + label_w,
                baseline: y + style.ascent(),
                size: style.size,
                bold: style.bold,
                grey: style.grey,
                text: line,
            });
            self.y += style.line_h();
        }
    }

    /// Bulleted list, wrapped under the bullet.
    pub fn bullets(&mut self, style: Style, items: &[String]) {
        let indent = self.text_width(style, "•  ");
        for item in items {
            let lines = self.wrap(style, self.content_w() - indent, item);
            for (i, line) in lines.into_iter().enumerate() {
                self.ensure(style.line_h());
                if i == 0 {
                    self.text_at(self.left(), self.y, style, "•");
                }
                let y = self.y;
                self.push(Item::Text {
                    x: self.left() + indent,
                    baseline: y + style.ascent(),
                    size: style.size,
                    bold: style.bold,
                    grey: style.grey,
                    text: line,
                });
                self.y += style.line_h();
            }
        }
    }

    /// Section title with a thin rule under it; keeps at least `keep` mm of
    /// what follows on the same page.
    pub fn heading(&mut self, style: Style, text: &str, keep: f32) {
        self.ensure(style.line_h() + 1.5 + keep);
        self.text_at(self.left(), self.y, style, text);
        self.y += style.line_h();
        let (x, y, w) = (self.left(), self.y, self.content_w());
        self.push(Item::Fill {
            x,
            y,
            w,
            h: 0.25,
            grey: 0.55,
        });
        self.y += 1.5;
    }

    /// Pages with their height in mm (a growing page ends at its content).
    pub fn finish(self) -> Vec<(f32, Vec<Item>)> {
        let height = self.page_h.unwrap_or(self.y + self.margin_bottom);
        self.pages
            .into_iter()
            .map(|items| (height, items))
            .collect()
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Items added to an already laid-out page (footers).
    pub fn push_to_page(&mut self, page: usize, item: Item) {
        if let Some(p) = self.pages.get_mut(page) {
            p.push(item);
        }
    }
}

fn grey(percent: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent,
        icc_profile: None,
    })
}

fn ring(x: f32, y: f32, w: f32, h: f32) -> PolygonRing {
    let p = |x: f32, y: f32| LinePoint {
        p: Point {
            x: mm_to_pt(x),
            y: mm_to_pt(y),
        },
        bezier: false,
    };
    PolygonRing {
        points: vec![p(x, y), p(x + w, y), p(x + w, y + h), p(x, y + h)],
    }
}

/// printpdf operations of one page (`page_h` mm high), y flipped to PDF's
/// bottom-left origin.
pub(crate) fn to_ops(page_h: f32, items: Vec<Item>, regular: &FontId, bold: &FontId) -> Vec<Op> {
    let mut ops = Vec::with_capacity(items.len() * 6);
    let mut fill = -1.0_f32;
    let mut set_fill = |ops: &mut Vec<Op>, g: f32| {
        if (fill - g).abs() > f32::EPSILON {
            ops.push(Op::SetFillColor { col: grey(g) });
            fill = g;
        }
    };
    for item in items {
        match item {
            Item::Text {
                x,
                baseline,
                size,
                bold: is_bold,
                grey: g,
                text,
            } => {
                if text.is_empty() {
                    continue;
                }
                set_fill(&mut ops, g);
                let font = if is_bold { bold } else { regular };
                ops.push(Op::StartTextSection);
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(font.clone()),
                    size: Pt(size),
                });
                ops.push(Op::SetTextCursor {
                    pos: Point {
                        x: mm_to_pt(x),
                        y: mm_to_pt(page_h - baseline),
                    },
                });
                ops.push(Op::ShowText {
                    items: vec![TextItem::Text(text)],
                });
                ops.push(Op::EndTextSection);
            }
            Item::Fill {
                x,
                y,
                w,
                h,
                grey: g,
            } => {
                set_fill(&mut ops, g);
                ops.push(Op::DrawPolygon {
                    polygon: Polygon {
                        rings: vec![ring(x, page_h - y - h, w, h)],
                        mode: PaintMode::Fill,
                        winding_order: WindingOrder::NonZero,
                    },
                });
            }
            Item::Frame {
                x,
                y,
                w,
                h,
                thickness,
            } => {
                ops.push(Op::SetOutlineColor { col: grey(0.0) });
                ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: mm_to_pt(x),
                        y: mm_to_pt(page_h - y - h),
                        width: mm_to_pt(w),
                        height: mm_to_pt(h),
                        mode: Some(PaintMode::Stroke),
                        winding_order: None,
                    },
                });
            }
            Item::Modules(rects) => {
                if rects.is_empty() {
                    continue;
                }
                set_fill(&mut ops, 0.0);
                ops.push(Op::DrawPolygon {
                    polygon: Polygon {
                        rings: rects
                            .into_iter()
                            .map(|(x, y, w, h)| ring(x, page_h - y - h, w, h))
                            .collect(),
                        mode: PaintMode::Fill,
                        winding_order: WindingOrder::NonZero,
                    },
                });
            }
        }
    }
    ops
}
