"""The demo: the 13 Total Place pilots' published figures and a synthetic, calibrated partnership."""
