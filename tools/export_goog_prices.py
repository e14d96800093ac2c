#!/usr/bin/python3
"""Exports matplotlib's sample GOOG daily prices to the common CSV download layout.

Source: Debian 12's package python-matplotlib-data 3.6.3-1, file
/usr/share/matplotlib/mpl-data/sample_data/goog.npz (1,047 trading days, 2004-08-19 to
2008-10-14; matplotlib's sample data, originally from Yahoo Finance). Licence: the matplotlib
licence (PSF-based), "Copyright (c) 2012- Matplotlib Development Team; All Rights Reserved";
see tests/data/prices/README.md. Change made: the record array written out as CSV, unchanged.

    apt-get download python-matplotlib-data && dpkg -x python-matplotlib-data_*.deb mpl
    tools/export_goog_prices.py mpl/usr/share/matplotlib/mpl-data/sample_data/goog.npz \
        > tests/data/prices/goog-2004-2008.csv
"""
import sys

import numpy as np

rows = np.load(sys.argv[1])["price_data"]
print("Date,Open,High,Low,Close,Adj Close,Volume")
for r in rows:
    print(f"{r['date']},{r['open']:.2f},{r['high']:.2f},{r['low']:.2f},{r['close']:.2f},"
          f"{r['adj_close']:.2f},{r['volume']}")
