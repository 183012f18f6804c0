# buurtmonitor — built with PGXS.
#   make && make install      build and install into the server found by pg_config
#   make installcheck         run the pg_regress suite against a running server
# The install script is generated: the topic files in extension/sql/ are
# concatenated in name order (h3-pg style), so each topic stays readable.

EXTENSION   = buurtmonitor
EXTVERSION  = 0.2.0

MODULE_big  = buurtmonitor
OBJS        = $(patsubst %.c,%.o,$(sort $(wildcard extension/*.c)))

SQL_PARTS   = $(sort $(wildcard extension/sql/*.sql))
# The upgrade from the last release: its pieces (extension/upgrade/<from>--<to>/*.sql: what must
# change in a database of the old version before the new definitions) followed by the whole install
# script made re-runnable (see extension/upgrade/README.md and scripts/upgrade_script.sh).
PREVVERSION = 0.1.0
UPGRADE_PIECES = $(sort $(wildcard extension/upgrade/$(PREVVERSION)--$(EXTVERSION)/*.sql))
DATA_built  = buurtmonitor--$(EXTVERSION).sql buurtmonitor--$(PREVVERSION)--$(EXTVERSION).sql
DATA        = $(wildcard extension/upgrade/buurtmonitor--*--*.sql) $(wildcard extension/archive/buurtmonitor--*.sql)

# Tests run in name order in one database; the numeric prefix sets the order.
REGRESS     = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=postgis

PG_CPPFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK  = -lgeos_c -lm
EXTRA_CLEAN = $(DATA_built)

PG_CONFIG  ?= pg_config
PGXS       := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

buurtmonitor--$(EXTVERSION).sql: $(SQL_PARTS)
	cat $(SQL_PARTS) > $@

buurtmonitor--$(PREVVERSION)--$(EXTVERSION).sql: $(UPGRADE_PIECES) $(SQL_PARTS) scripts/upgrade_script.sh
	sh scripts/upgrade_script.sh $(PREVVERSION) $(EXTVERSION) "$(UPGRADE_PIECES)" "$(SQL_PARTS)" > $@
