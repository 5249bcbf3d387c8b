"""Total Capital and Assets (seed 001 §5.19-5.25): the public estate of a place, partner by partner.

A method layer beside `analysis`, `deepdive` and `insight`: pure computations over the assets handed to it
(distances, under-use, leases, running-cost benchmarks, close-or-share scenarios) and, for capital, over the
count's lines. It never opens the workspace; the app layer gathers the inputs and joins the results to the
deep dives' savings register and to customer insight's access analysis.
"""
