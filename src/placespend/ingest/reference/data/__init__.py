"""HM Treasury reference crosswalks shipped with the readers (hmt_functions_to_cofog.csv)."""
