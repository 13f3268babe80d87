//! Look-through exposure: the country mix a firm really depends on at each stage, and hidden exposure.
