//! Concentration measures over a country mix: HHI, effective number of countries, CR1, CR3, group shares.
