//! A drawing backend that places each glyph by its own outline, for bitmap charts.
//!
//! plotters 0.3.7 draws a glyph's pixels from its pen position without the glyph's left side
//! bearing, so a narrow digit such as "1" sits against the digit before it and leaves a gap
//! after it: "1 240" reads as "1 2 40" and "140" as "1 40" in a PNG. This wrapper passes
//! every drawing call through to the backend it wraps except text, which it rasterises with
//! the same embedded font, the same advances and kerning, and each glyph at its pen position
//! plus its bearing. Layout (sizes, anchors) stays plotters' own, so text lands where plotters
//! expects it.

use ab_glyph::{Font, FontRef, ScaleFont, point};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle,
};

/// Wraps a backend and draws its text glyph by glyph.
pub(crate) struct Typeset<B> {
    inner: B,
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

impl<B> Typeset<B> {
    /// Wraps `inner`, with the embedded DejaVu Sans; `None` if the font cannot be read.
    pub(crate) fn new(inner: B) -> Option<Typeset<B>> {
        Some(Typeset {
            inner,
            regular: FontRef::try_from_slice(dejavu::sans::regular()).ok()?,
            bold: FontRef::try_from_slice(dejavu::sans::bold()).ok()?,
        })
    }
}

impl<B: DrawingBackend> DrawingBackend for Typeset<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    /// As plotters' default (anchor, transform, clipping to the canvas), with each glyph
    /// drawn at its pen position plus its bearing.
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let (w, h) = self.get_size();
        let size = style.size() as f32;
        let font = match style.style() {
            FontStyle::Bold => &self.bold,
            _ => &self.regular,
        }
        .as_scaled(size);
        let mut pen = 0f32;
        let mut previous = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(previous) = previous {
                pen += font.kern(previous, id);
            }
            previous = Some(id);
            let glyph = id.with_scale_and_position(size, point(pen, 0.0));
            pen += font.h_advance(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            // The same baseline as plotters: half the size below the top of the layout box.
            let left = bounds.min.x as i32;
            let top = (size / 2.0 + bounds.min.y) as i32;
            let mut pixels = Vec::new();
            outline.draw(|x, y, coverage| pixels.push((x as i32, y as i32, coverage)));
            for (x, y, coverage) in pixels {
                let (x, y) = transform.transform(left + x + dx - min_x, top + y + dy - min_y);
                let (x, y) = (pos.0 + x, pos.1 + y);
                if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                    self.inner.draw_pixel(
                        (x, y),
                        BackendColor {
                            alpha: color.alpha * f64::from(coverage),
                            rgb: color.rgb,
                        },
                    )?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use plotters::prelude::*;

    use super::Typeset;

    /// Widths of the blank pixel columns between inked ones, left to right, of `text` drawn
    /// at `size` px on a white bitmap of 300 × 40.
    fn gaps(text: &str, size: u32, typeset: bool) -> Vec<usize> {
        super::super::chart::register_fonts().expect("fonts");
        let (w, h) = (300usize, 40usize);
        let mut pixels = vec![255u8; w * h * 3];
        {
            let bitmap = BitMapBackend::with_buffer(&mut pixels, (w as u32, h as u32));
            let style = ("sans-serif", size).into_font().color(&BLACK);
            if typeset {
                let area = Typeset::new(bitmap).expect("font").into_drawing_area();
                area.draw(&Text::new(text, (10, 10), style)).expect("text");
                area.present().expect("present");
            } else {
                let area = bitmap.into_drawing_area();
                area.draw(&Text::new(text, (10, 10), style)).expect("text");
                area.present().expect("present");
            }
        }
        // A column is inked where some pixel is darker than mid-grey.
        let inked: Vec<bool> = (0..w)
            .map(|x| (0..h).any(|y| pixels[(y * w + x) * 3] < 128))
            .collect();
        let first = inked.iter().position(|&i| i).expect("some ink");
        let last = inked.iter().rposition(|&i| i).expect("some ink");
        let mut gaps = Vec::new();
        let mut run = 0;
        for &i in &inked[first..=last] {
            if i {
                if run > 0 {
                    gaps.push(run);
                }
                run = 0;
            } else {
                run += 1;
            }
        }
        gaps
    }

    /// Whether the gaps of `text` (three spaces) read as its groups: the gaps between digits
    /// of a group differ by at most a pixel, and each space is at least twice as wide.
    fn reads_as_groups(mut gaps: Vec<usize>) -> bool {
        gaps.sort_unstable();
        let (inside, spaces) = gaps.split_at(gaps.len() - 3);
        let (narrowest, widest) = (inside[0], inside[inside.len() - 1]);
        widest <= narrowest + 1 && spaces[0] >= 2 * widest
    }

    #[test]
    fn digit_groups_are_never_split() {
        // "1 140 1 241": four groups, three spaces, at the sizes the charts use.
        let text = "1 140 1 241";
        for size in [12, 15, 20] {
            let ours = gaps(text, size, true);
            assert!(reads_as_groups(ours.clone()), "{size} px: gaps {ours:?}");
        }
        // plotters' own bitmap text, which this replaces, does not (at 20 px the gaps in
        // "140" are 4 and 1 pixels, the spaces 8 and 9: the "1 242 1 40" of the issue).
        assert!(!reads_as_groups(gaps(text, 20, false)));
    }
}
