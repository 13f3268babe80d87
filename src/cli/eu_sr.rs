//! `chokepoint eu-sr FILE.csv`: the EU supply-risk formula applied to rows of a CSV file.
