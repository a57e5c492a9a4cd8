// Shared by the shop's front ends: imported by apps/web at build time, bundled into its files.
export const brand = "Shop";
export const accent = "#0b7285";
