//! A firm's portfolio: what it buys, how much depends on it, and where it comes from.
