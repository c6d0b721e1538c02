/**
 * Figures as PNG bytes, drawn headless with XChart: the chart style the experiments share, spectra
 * on a log axis, panels side by side. Used by {@code bottleneck}, {@code diagnose} and
 * {@code recall}; uses XChart and java.awt only.
 */
package org.beyondsoftmax.plots;
