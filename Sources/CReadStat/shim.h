// ReadStat (Debian: libreadstat-dev), the C library that reads and writes
// SPSS (.sav/.zsav/.por), Stata (.dta) and SAS (.sas7bdat/.xpt) files.
// Debian ships no pkg-config file, so the module map names the library.
#ifndef BAROMETER_CREADSTAT_SHIM_H
#define BAROMETER_CREADSTAT_SHIM_H
#include <readstat.h>
#endif
