//! The chart of `docs/benchmarks.md`: instructions per request for each stack and route beside the peers and
//! the floor, drawn from the results file of `cargo xtask bench --instructions` (plotters' SVG backend).

use std::path::Path;

use anyhow::{Result, anyhow};
use plotters::prelude::*;
use serde_json::Value;

/// The stacks drawn, top to bottom.
const STACKS: [&str; 5] = [
    "ours-axum",
    "tower-sessions",
    "ours-actix",
    "actix-session",
    "ours-hyper",
];
/// The routes drawn for each, with their colours.
const ROUTES: [(&str, RGBColor); 6] = [
    ("bare", RGBColor(190, 190, 190)),
    ("plain", RGBColor(140, 170, 210)),
    ("read", RGBColor(40, 100, 180)),
    ("write", RGBColor(200, 90, 40)),
    ("floor", RGBColor(90, 160, 90)),
    ("floor-write", RGBColor(40, 110, 40)),
];

/// Draws the chart of `doc` (the results file) to `path`.
pub(crate) fn draw(doc: &Value, path: &Path) -> Result<()> {
    let bars: Vec<(usize, &str, RGBColor, f64)> = STACKS
        .iter()
        .enumerate()
        .flat_map(|(i, stack)| {
            ROUTES.iter().filter_map(move |(route, colour)| {
                let x = doc["http"][*stack][*route].as_f64()?;
                Some((i, *route, *colour, x))
            })
        })
        .collect();
    if bars.is_empty() {
        return Err(anyhow!("the results have no HTTP counts to draw"));
    }
    let max = bars.iter().map(|b| b.3).fold(0.0, f64::max) * 1.12;
    let rows: usize = STACKS
        .iter()
        .map(|s| bars.iter().filter(|b| STACKS[b.0] == *s).count() + 1)
        .sum();
    let height = 70 + 16 * rows as u32;
    let root = SVGBackend::new(path, (880, height)).into_drawing_area();
    let e = |e: DrawingAreaErrorKind<_>| anyhow!("drawing {}: {e:?}", path.display());
    root.fill(&WHITE).map_err(e)?;
    let title = format!(
        "Instructions per request (callgrind, server side), commit {}",
        doc["commit"].as_str().unwrap_or("?")
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(10)
        .build_cartesian_2d(0.0..max, 0.0..rows as f64)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_desc("instructions per request")
        .x_label_formatter(&|x| crate::bench_instructions::group(*x))
        .draw()
        .map_err(e)?;
    // Top to bottom: row 0 is the top line.
    let mut row = 0usize;
    let y = |row: usize| rows as f64 - row as f64;
    for (i, stack) in STACKS.iter().enumerate() {
        chart
            .draw_series(std::iter::once(Text::new(
                (*stack).to_owned(),
                (max * 0.005, y(row) - 0.15),
                ("sans-serif", 13).into_font().style(FontStyle::Bold),
            )))
            .map_err(e)?;
        row += 1;
        for (_, route, colour, x) in bars.iter().filter(|b| b.0 == i) {
            let top = y(row) - 0.1;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, top), (*x, top - 0.8)],
                    colour.filled(),
                )))
                .map_err(e)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("/{route} {}", crate::bench_instructions::group(*x)),
                    (*x + max * 0.005, top - 0.15),
                    ("sans-serif", 11),
                )))
                .map_err(e)?;
            row += 1;
        }
    }
    root.present().map_err(e)?;
    Ok(())
}
