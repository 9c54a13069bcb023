#!/usr/bin/env python3
"""Write fixtures/notes/labelled.csv: synthetic 97530 treatment notes, each
labelled with the N codes it should raise (`raises`) and should not
(`does_not_raise`). The notes are written to read like real therapy notes;
no real patient is in them. The labels are a therapist's reading of the
catalogue (RULES.md, N001-N006), written before the rules were tuned.

Run: python3 scripts/make_labelled_notes.py
"""
import csv, os

GOALS = {
    "tr": "Pt will perform sit to stand and bed to chair transfers with supervision in 4 weeks.",
    "st": "Pt will ascend/descend 12 steps with one rail and SBA to enter home.",
    "adl": "Pt will complete LB dressing and toileting with mod I using AE.",
    "com": "Pt will ambulate 500 ft on uneven ground for community access.",
    "lift": "Pt will lift 20 lb box floor to waist with proper body mechanics to return to work.",
    "bal": "Pt will demonstrate standing balance sufficient for kitchen tasks without LOB.",
    "reach": "Pt will reach overhead to shelf with R UE to put away dishes.",
    "bed": "Pt will perform supine to sit and rolling independently to get out of bed.",
    "": "",
}

# (note, goal key, minutes ("" = none in the row), codes it should raise)
NOTES = [
    # --- the seed pair (RULES.md) ---
    ("Patient practiced transfers for 15 minutes.", "tr", "15", "N002 N006"),
    ("Provided 17 minutes of skilled training for sit-to-stand transfer from standard chair height. Patient required moderate manual assist and verbal cueing for forward momentum initiation and dynamic knee stability throughout the ascent. Focus on sequencing and trunk control to address goal of independent home transfers.", "tr", "17", "N006"),
    # (the strong seed note passes N002-N004, as RULES.md says; it states no
    # response, tolerance or progress, so N006 -- info -- is its one flag)
    # --- strong notes: skilled, timed, goal-linked, with response ---
    ("Sit to stand from low surfaces x8 with min A and tactile cues at hips for anterior weight shift. Pt tolerated well, required 1 seated rest break.", "tr", "15", ""),
    ("Stand pivot transfer bed to w/c with CGA; VC for hand placement and sequencing. Improved foot positioning vs last session.", "tr", "12", ""),
    ("Stair training 4 steps x3 with one rail, SBA, verbal cues for step-to pattern descending. Pt reports R knee pain 3/10, no increase with activity.", "st", "20", ""),
    ("Curb and ramp negotiation with RW, min assist for balance on descent, tactile cues for walker placement. Fatigued after 2nd trial, HR 102.", "com", "18", ""),
    ("Functional reaching in standing to overhead shelf, putting away dishes, with CGA and guarding for LOB posteriorly. Improved reach distance by 3 in.", "reach", "16", ""),
    ("Therapeutic activity: floor-to-waist box lift 10 lb x6 with verbal and visual cues for hip hinge and neutral spine. Demonstrated improved body mechanics by trial 4.", "lift", "23", ""),
    ("LB dressing training seated EOB, pt donned pants with mod A and demonstration of sock aid use; fatigue noted, 2 rest breaks.", "adl", "25", ""),
    ("Toilet transfer with grab bar, min assist to steady and verbal cues to reach back for bar before sitting. Tolerated without c/o dizziness.", "adl", "14", ""),
    ("Bed mobility: rolling and supine to sit with HOB flat, mod assist at trunk, cues for log roll technique. Pt states less back pain with technique.", "bed", "13", ""),
    ("Gait on uneven ground (grass, gravel) 200 ft x2 with SBA and cues for step length; no LOB, RPE 13.", "com", "22", ""),
    ("Kitchen task simulation: retrieving items from low cabinet and carrying to counter with CGA, facilitation of weight shift. Improved standing tolerance to 6 min.", "bal", "24", ""),
    ("Car transfer training with family present, min A for LE management, instructed caregiver in guarding. Pt and wife verbalized understanding.", "tr", "19", ""),
    ("Pt carried laundry basket 30 ft and loaded washer with CGA; grading of load from 5 to 10 lb. Reports mild fatigue.", "bal", "21", ""),
    ("Tub transfer using tub bench, min assist and verbal cues for sequencing of LE over tub wall. Progressing; needed fewer cues today.", "adl", "15", ""),
    ("Dynamic standing balance during grooming at sink with CGA and tactile cues for upright posture; tolerated 8 min standing.", "adl", "12", ""),
    ("Sit<>stand from recliner x10 with mod A, manual facilitation at knees; pt anxious but participated fully.", "tr", "16", ""),
    ("Overhead reaching and lifting of 2 lb items to cabinet with verbal cues to avoid shoulder hiking; pain 2/10 throughout.", "reach", "17", ""),
    ("Floor recovery training: half kneel to stand with max assist, cues for sequencing. Unable to complete without assist, will continue.", "bal", "20", ""),
    ("Community ambulation in parking lot 400 ft with SPC, SBA, cues for scanning; improved gait speed.", "com", "23", ""),
    ("Bed to chair transfers x5 with min A, VC for hand placement. Tolerated session well.", "tr", "10:05-10:20", ""),
    ("Ascending/descending stairs with rail, CGA and guarding on descent; pt reported fear of falling, which decreased by end of session.", "st", "14", ""),
    ("Work simulation: pushing and pulling loaded cart 50 ft with verbal cues for posture, supervision for safety. No increase in LBP.", "lift", "25", ""),
    ("Meal prep task standing at counter with CGA, cues for energy conservation and pacing; SpO2 stayed above 92%.", "bal", "22", ""),
    ("Transfers w/c to mat with slide board, mod assist and instruction in board placement; pt able to place board on 2nd trial.", "tr", "18", ""),
    ("Supine to sit via sidelying with min A and tactile cues at shoulder; pt reports dizziness resolved after 1 min sitting.", "bed", "11", ""),
    # --- weak: no skilled input named (N002), often no response (N006) ---
    ("Pt did transfers.", "tr", "15", "N002 N006"),
    ("Worked on stairs today.", "st", "15", "N002 N006"),
    ("Patient performed bed mobility training.", "bed", "12", "N002 N006"),
    ("Pt walked in hallway and practiced getting up from chair. Tolerated well.", "tr", "20", "N002"),
    ("Functional activities to improve transfers and balance per POC.", "tr", "23", "N002 N006"),
    ("Pt participated in ADL retraining for dressing.", "adl", "15", "N002"),
    ("Reaching activities in standing for 10 minutes, pt did well.", "reach", "", "N002"),
    ("Lifting practice with boxes of various weights.", "lift", "20", "N002 N006"),
    ("Continued therapeutic activities as tolerated.", "tr", "15", "N002 N003 N006"),
    ("Pt worked on functional mobility. Reports fatigue at end of session.", "com", "16", "N002"),
    ("Transfers and gait in clinic, see flowsheet.", "tr", "22", "N002 N006"),
    ("Kitchen tasks practiced standing at counter; pt c/o back pain 4/10.", "bal", "17", "N002"),
    ("Car transfer practice in simulated car.", "tr", "13", "N002 N006"),
    ("Pt practiced stairs, did not need cues.", "st", "14", "N005 N006"),
    ("Tx as per plan.", "tr", "15", "N002 N003 N006"),
    # --- exercise-like: reads as 97110 (N004); no task, often no goal (N003) ---
    ("Pt performed 3x10 LAQ, hip abduction and ankle pumps with 2# cuff weights. Tolerated well.", "tr", "15", "N002 N003 N004"),
    ("Quad sets, glute sets and SLR 2x15 each; VC for form. No c/o pain.", "st", "18", "N003 N004"),
    ("Red theraband rows and bicep curls 3 sets of 12, min cues for posture.", "reach", "14", "N003 N004 N006"),
    ("NuStep 10 min level 4 followed by hamstring and gastroc stretching 3x30 sec.", "com", "20", "N002 N003 N004 N006"),
    ("Hip strengthening: clamshells, bridges, heel raises 2x10. Pt fatigued quickly.", "st", "16", "N002 N003 N004"),
    ("AROM shoulder flexion and abduction to tolerance, 15 reps each with tactile cues.", "reach", "12", "N003 N004 N006"),
    ("Strengthening for quads and hamstrings with leg press 3x10 at 40 lb.", "lift", "22", "N002 N003 N004 N006"),
    ("UBE 8 min, then scapular retractor strengthening with yellow tband 2x15. Reports shoulder soreness.", "reach", "15", "N002 N003 N004"),
    ("PROM R knee flexion and extension, heel slides x20, increased knee flexion to 105 deg.", "st", "13", "N002 N003 N004"),
    ("Isometric hip adduction and abduction 10 x 5 sec holds, min verbal cues for breathing.", "tr", "10", "N003 N004 N006"),
    ("Mini squats x15 holding counter, heel raises x15, supervision for safety.", "bal", "14", "N003 N004 N006"),
    ("Pt completed HEP review: SLR, SAQ, ankle pumps 2x10, instructed in progression.", "tr", "15", "N003 N004 N006"),
    ("Resisted knee extension with green band 3x12 and wall slides x10; tolerated well.", "st", "17", "N002 N003 N004"),
    ("Stationary bike 10 min for endurance, then 1 lb dumbbell shoulder flexion x20.", "reach", "15", "N002 N003 N004 N006"),
    # --- exercise words inside a functional task: not 97110 ---
    ("Sit to stand x10 from 18 in surface with CGA, verbal cues for nose over toes; 2 sets, rest between.", "tr", "12", "N006"),
    ("Step ups onto 6 in step 3x10 with one rail and CGA to prepare for home stairs; knee pain 2/10.", "st", "15", ""),
    ("Lifting 15 lb crate floor to table 2x5 with cues for squat technique, min A for balance on rise. Good carryover.", "lift", "19", ""),
    # --- independent: skilled need in doubt (N005) ---
    ("Patient performed transfers independently, 15 minutes. Tolerated well.", "tr", "15", "N005"),
    ("Pt ambulated 300 ft on uneven surfaces without assistance; no LOB.", "com", "18", "N005"),
    ("Stairs x12 independently with rail, reciprocal pattern. Pt pleased with progress.", "st", "16", ""),
    ("Bed mobility completed independently, no cues needed. Reports no pain.", "bed", "12", "N005"),
    ("Pt independent with all transfers this session, tolerated well.", "tr", "14", "N005"),
    ("Pt dressed upper body on her own in 6 minutes, improved from 10 last week.", "adl", "", "N005"),
    ("Reaching to overhead shelf and putting away groceries, did not require assistance.", "reach", "15", "N005 N006"),
    ("Carrying laundry basket 40 ft, independent, no verbal cues required.", "bal", "20", "N005 N006"),
    ("Floor to stand transfer completed independently x3.", "bal", "10", "N005 N006"),
    # --- modified independence and independence as an aim: not N005 ---
    ("Bathroom transfers mod I with grab bars; cues for safety awareness. Tolerated well.", "adl", "15", ""),
    ("Gait in community independent with SPC, cues for obstacle scanning; improved speed.", "com", "20", ""),
    ("Toilet transfers independent with walker, 3 trials, no LOB, reports confidence improving.", "adl", "14", ""),
    ("Pt is not yet independent with supine to sit; required min A and tactile cues at trunk. Fatigued.", "bed", "15", ""),
    ("Goal: independent with tub transfers. Today mod assist with tub bench, VC for sequencing. Pt frustrated but participated.", "adl", "18", ""),
    ("Transfers with SBA working toward independent home transfers; improved hand placement.", "tr", "12", ""),
    # --- missing time: no minutes in the row and none in the note (N001) ---
    ("Sit to stand training with min assist and verbal cues for anterior weight shift; tolerated well.", "tr", "", "N001"),
    ("Stair negotiation with CGA and cues for step-to pattern. Reports knee pain 2/10.", "st", "", "N001"),
    ("Bed mobility with mod A and facilitation at pelvis for bridging; pt fatigued.", "bed", "", "N001"),
    ("LB dressing with reacher and sock aid, min A, instruction in hip precautions. Good recall.", "adl", "", "N001"),
    ("Community ambulation 500 ft with SBA on uneven ground, cues for pacing; SpO2 95%.", "com", "", "N001"),
    ("Box lifting with verbal cues for hip hinge, supervision; no pain.", "lift", "", "N001"),
    ("Transfers w/c to bed with CGA, 20 min, VC for brakes; tolerated well.", "tr", "", ""),
    ("Reaching in standing 10:15 to 10:30 with CGA; improved reach.", "reach", "", ""),
    ("Pt did transfers.", "tr", "", "N001 N002 N006"),
    ("3x10 LAQ with 3# weight.", "st", "", "N001 N002 N003 N004 N006"),
    # --- no link to a goal, skilled and with response (N003) ---
    ("Standing balance activities on foam with CGA and tactile cues; tolerated well.", "lift", "15", "N003"),
    ("Dynamic balance with perturbations, min A to recover, verbal cues for stepping strategy. Fatigue after 10 min.", "st", "18", "N003"),
    ("Weight shifting in standing with mirror feedback and CGA. Improved midline orientation.", "reach", "14", "N003"),
    ("Trunk control activities seated on therapy ball, mod assist, facilitation at pelvis. Pt tolerated well.", "adl", "16", "N003"),
    ("Standing tolerance activity at counter with SBA; pt stood 7 min, increased from 4 min.", "bal", "12", ""),
    ("Seated balance reaching outside base of support with min A; improved.", "reach", "13", ""),
    ("Eye-hand coordination activity with cones, CGA, cues for attention. Pt engaged and motivated.", "lift", "15", "N003"),
    ("Balance training on compliant surface with SBA and verbal cues, per plan of care; no LOB, reports feeling steadier.", "com", "20", ""),
    # --- empty goal column: only a named task or a goal reference links ---
    ("Tandem stance and single leg stance with CGA and cues; tolerated well.", "", "14", "N003"),
    ("Transfers with min A and cues; tolerated well.", "", "14", ""),
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "fixtures", "notes", "labelled.csv")
    codes = ["N001", "N002", "N003", "N004", "N005", "N006"]
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["claim_id", "patient_id", "date_of_service", "procedure_code", "modifiers",
                    "units", "minutes", "start_time", "end_time", "note", "goal",
                    "raises", "does_not_raise"])
        for i, (note, goal, minutes, raises) in enumerate(NOTES, 1):
            r = raises.split()
            assert all(c in codes for c in r), raises
            start = end = ""
            if ":" in minutes:
                start, end = minutes.split("-")
                minutes = ""
            w.writerow([f"NOTE{i:03}", f"P{i:03}", "2026-10-01", "97530", "GP", "1",
                        minutes, start, end, note, GOALS[goal], " ".join(r),
                        " ".join(c for c in codes if c not in r)])
    print(f"{len(NOTES)} notes -> {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
