/*
 * fact_list.h - THE list of facts a policy can read from a record.
 * No include guard: include it after defining FACT(id, owner, name, type, words).
 *
 *   id     enum fact_id suffix (FACT_<id>); the order is part of the bytecode format
 *   owner  CONVICTION or PERSON: whose fact it is
 *   name   the name written in a policy (conviction.<name>, person.<name>)
 *   type   the value type (TYPE_<type>)
 *   words  how a message to a lawyer names it ("the conviction's offence level")
 *
 * New facts go at the end: a fact's position is its number in the bytecode
 * and its bit in `known`, and there are at most 32.
 *
 * The checker resolves names with it, the VM loads with it, the disassembler
 * prints with it, and the unknown-fact reasons quote its words.
 */
FACT(CITATION, CONVICTION, "citation", CITATION, "the conviction's statute citation")
FACT(LEVEL, CONVICTION, "level", LEVEL, "the conviction's offence level (felony, misdemeanor or infraction)")
FACT(DISPOSITION_DATE, CONVICTION, "disposition_date", DATE, "the conviction's disposition date")
FACT(SENTENCE, CONVICTION, "sentence", DURATION, "the conviction's sentence length")
FACT(COUNTY, CONVICTION, "county", TEXT, "the county of conviction")
FACT(CASE_ID, CONVICTION, "case_id", TEXT, "the conviction's case number")
FACT(AGE_AT_CONVICTION, CONVICTION, "age_at_conviction", NUMBER, "the person's age at conviction (needs the date of birth and the disposition date)")
FACT(ID, PERSON, "id", TEXT, "the person's identifier")
FACT(DATE_OF_BIRTH, PERSON, "date_of_birth", DATE, "the person's date of birth")
FACT(SENTENCE_END, CONVICTION, "sentence_end", DATE, "the date the conviction's sentence ends")
FACT(CYCLE_ID, CONVICTION, "cycle_id", TEXT, "the arrest cycle the conviction belongs to")
FACT(DECEASED, PERSON, "deceased", BOOL, "whether the person is recorded as deceased")
FACT(SEX_OFFENDER_REGISTRATION, PERSON, "sex_offender_registration", BOOL, "whether the person has a sex offender registration (PC 290) event")
FACT(OFFENSE_TEXT, CONVICTION, "offense_text", TEXT, "the offence as the record writes it")
FACT(SEX_OFFENDER_REGISTRATION_DATE, PERSON, "sex_offender_registration_date", DATE, "the date of the person's first sex offender registration (PC 290) event")
FACT(OFFENSE_SECTION, CONVICTION, "offense_section", TEXT, "the offence's code section as the record writes it")
FACT(COMMENT_TEXT, CONVICTION, "comment_text", TEXT, "the record's comment on the charge")
FACT(OFN, CONVICTION, "ofn", TEXT, "the court's case number (OFN) on the record")
FACT(STEP_TYPE, CONVICTION, "step_type", TEXT, "the kind of step the record is (arrest, court action...)")
FACT(OFFENSE_DATE, CONVICTION, "offense_date", DATE, "the date of the offence")
FACT(QUANTITY, CONVICTION, "quantity", QUANTITY, "the amount of cannabis involved")
FACT(PLANT_COUNT, CONVICTION, "plant_count", QUANTITY, "the number of plants involved")
FACT(CLASS, CONVICTION, "class", TEXT, "the offence's class as the state's code names it (e.g. Class 4 felony)")
FACT(SUBSTANCE, CONVICTION, "substance", TEXT, "the substance the record names (e.g. cannabis, cannabis concentrate)")
FACT(CUSTODY_STATUS, CONVICTION, "custody_status", TEXT, "the person's custody or supervision status for the conviction (e.g. none, custody, probation, parole)")
