//! Policy checks from dated, cited rule data.
