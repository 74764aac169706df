//! SSD anchors of the BlazePose detector (MediaPipe `SsdAnchorsCalculator` options in
//! pose_detection_cpu.pbtxt): 5 layers, strides 8,16,32,32,32, aspect ratio 1 plus the interpolated
//! scale (2 anchors per cell per layer), offset 0.5, fixed anchor size. Layers sharing a stride share a
//! grid, so the anchors are 28x28x2 + 14x14x2 + 7x7x6 = 2254.

pub(crate) const INPUT_SIZE: usize = 224;
pub(crate) const STRIDES: [usize; 5] = [8, 16, 32, 32, 32];
pub(crate) const ANCHOR_OFFSET: f32 = 0.5;
pub(crate) const NUM_ANCHORS: usize = 2254;

/// An anchor centre in normalised [0,1] coordinates of the 224x224 input. With fixed anchor size the
/// width and height are 1, so only the centre matters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    pub x: f32,
    pub y: f32,
}

pub(crate) fn generate() -> Vec<Anchor> {
    let mut anchors = Vec::with_capacity(NUM_ANCHORS);
    let mut layer = 0;
    while layer < STRIDES.len() {
        // Consecutive layers with the same stride are put on one grid, anchors interleaved per cell.
        let stride = STRIDES[layer];
        let mut per_cell = 0;
        while layer < STRIDES.len() && STRIDES[layer] == stride {
            per_cell += 2; // aspect ratio 1.0 + interpolated scale
            layer += 1;
        }
        let cells = INPUT_SIZE.div_ceil(stride);
        for y in 0..cells {
            for x in 0..cells {
                let a = Anchor { x: (x as f32 + ANCHOR_OFFSET) / cells as f32, y: (y as f32 + ANCHOR_OFFSET) / cells as f32 };
                anchors.extend(std::iter::repeat_n(a, per_cell));
            }
        }
    }
    anchors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_matches_model_output() {
        assert_eq!(generate().len(), NUM_ANCHORS);
    }

    #[test]
    fn known_positions() {
        let a = generate();
        // first cell of the stride-8 grid (28x28): centre (0.5/28, 0.5/28), two anchors
        assert!((a[0].x - 0.5 / 28.0).abs() < 1e-7 && (a[0].y - 0.5 / 28.0).abs() < 1e-7);
        assert_eq!(a[0], a[1]);
        assert!((a[2].x - 1.5 / 28.0).abs() < 1e-7);
        // last anchor of the stride-8 grid
        assert!((a[1567].x - 27.5 / 28.0).abs() < 1e-6 && (a[1567].y - 27.5 / 28.0).abs() < 1e-6);
        // first anchor of the stride-16 grid (14x14)
        assert!((a[1568].x - 0.5 / 14.0).abs() < 1e-7);
        // stride-32 grid: 6 anchors per cell, starting at 1568 + 392 = 1960
        assert!((a[1960].x - 0.5 / 7.0).abs() < 1e-7);
        assert_eq!(a[1960], a[1965]);
        assert!((a[1966].x - 1.5 / 7.0).abs() < 1e-7);
        assert!((a[2253].x - 6.5 / 7.0).abs() < 1e-6 && (a[2253].y - 6.5 / 7.0).abs() < 1e-6);
    }
}
