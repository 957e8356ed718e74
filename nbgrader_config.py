"""nbgrader configuration of the kernelsim exercises: the course is rooted at this repository.

    solutions/<assignment>/   the instructor versions (built from solutions/<assignment>.md by solutions/build.py)
    exercises/<assignment>/   what `nbgrader generate_assignment <assignment>` makes of them (the student versions)
    submitted/, autograded/, feedback/, gradebook.db   the instructor's state (git-ignored)

Notebooks switch kernelsim to deterministic time themselves: their set-up cell sets
KERNELSIM_REALTIME=0 when nbgrader's NBGRADER_EXECUTION variable is present (nbgrader
sets it in the kernel's environment during autograde and validate).  See docs/instructors.md.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "kernelsim"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# A cell that runs longer than this is interrupted: an endless loop scores 0 on its task,
# and the rest of the notebook is still graded.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
